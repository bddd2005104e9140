"""The run configuration of the dbt models: the KPI parameters of docs/kpis.md, overridable per run.

In the launchpad (``ops: kpi_dbt_models: config:``) each parameter shows its value for this
code location: the environment's ``KPI_<PARAMETER>``, else the default of dbt_project.yml.
A value given for one run is range-checked as the environment's are
(:meth:`Settings.with_run_parameters`); a bad one fails the dbt step, naming the parameter and
its range, before any model is built.
"""

from __future__ import annotations

import dagster as dg
import pydantic

from dagster_project.config import PARAMETER_RANGES, Settings, parameter_defaults

AS_OF_DATE = "YYYY-MM-DD; empty: derived from the sources (docs/kpis.md); default KPI_AS_OF_DATE"


class KpiParameters(dg.Config):
    """The KPI parameters of one run; :func:`kpi_parameters_config` adds one field per parameter."""

    as_of_date: str | None = pydantic.Field(default=None, description=AS_OF_DATE)

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with this run's parameters, checked against the spec's ranges."""
        parameters = {name: getattr(self, name) for name in parameter_defaults()}
        return settings.with_run_parameters(parameters, self.as_of_date)


def _describe(name: str) -> str:
    low, high = PARAMETER_RANGES[name]
    allowed = f"from {low} to {high}" if high is not None else f"at least {low}"
    return f"docs/kpis.md parameter, {allowed}; default KPI_{name.upper()}, else dbt_project.yml"


def kpi_parameters_config(settings: Settings) -> type[KpiParameters]:
    """The run config class whose defaults are ``settings``' parameters and as_of_date."""
    fields = {
        name: (type(default), pydantic.Field(default=settings.parameters[name], description=_describe(name)))
        for name, default in parameter_defaults().items()
    }
    as_of = settings.as_of_date.isoformat() if settings.as_of_date else None
    fields["as_of_date"] = (str | None, pydantic.Field(default=as_of, description=AS_OF_DATE))
    return pydantic.create_model("KpiParameters", __base__=KpiParameters, **fields)
