"""The tags every run of the refresh job carries, so that the runs list says what each run used.

``kpi/as_of_date`` (the date, or ``from-sources`` until the run has derived it), ``kpi/source_dir``,
``kpi/engine`` and one ``kpi/<parameter>`` tag per KPI parameter that differs from its default in
dbt_project.yml. The job carries the tags of the code location's settings; a run whose run config
overrides a parameter or the as_of_date gets the tags of what it really used
(:func:`dagster_project.defs.dbt_assets.build_dbt_assets`), and the publication replaces
``from-sources`` by the date the run derived.
"""

from __future__ import annotations

from dagster_project.config import Settings, parameter_defaults

PREFIX = "kpi/"
AS_OF_DATE = PREFIX + "as_of_date"
DERIVED = "from-sources"  # no as_of_date given: derived from the sources during the run


def run_tags(settings: Settings) -> dict[str, str]:
    """The run tags of ``settings``: as_of_date, source directory, engine, changed parameters."""
    tags = {
        AS_OF_DATE: settings.as_of_date.isoformat() if settings.as_of_date else DERIVED,
        PREFIX + "source_dir": str(settings.source_dir),
        PREFIX + "engine": settings.engine,
    }
    defaults = parameter_defaults()
    tags.update({PREFIX + name: str(value) for name, value in sorted(settings.parameters.items())
                 if value != defaults[name]})
    return tags
