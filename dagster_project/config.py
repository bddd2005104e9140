"""Run configuration, read once from the environment.

Every path and KPI parameter the pipeline uses comes from here: the DuckDB resource, the
ingestion assets and dbt (through :meth:`Settings.dbt_env` and :meth:`Settings.dbt_vars`)
all read the same values, so no path or default is computed twice.

Environment variables (all optional):

* ``KPI_SOURCE_DIR`` - the source directory (default ``seeds/``)
* ``KPI_WAREHOUSE`` - the working DuckDB file (default ``data/warehouse.duckdb``)
* ``KPI_PUBLISH_DIR`` - where BI tools read the publication (default ``data/published``)
* ``KPI_AS_OF_DATE`` - ``YYYY-MM-DD``; default derived from the sources (docs/kpis.md)
* ``KPI_SCHEDULE_TIMEZONE`` - time zone of the nightly schedule (default ``Europe/Paris``)
* ``KPI_ENGINE`` - the engine that builds the KPIs (default ``duckdb``)
* ``KPI_MAX_TABLE_SHRINK`` - a published table may not lose more than this share of its rows
  from one publication to the next (default 0.5); more blocks publishing
* ``KPI_<PARAMETER>`` - every KPI parameter of docs/kpis.md, e.g. ``KPI_MIN_GROUP_SIZE=1``;
  the defaults live in the ``vars:`` block of ``dbt_project/dbt_project.yml``.

The KPI parameters and ``as_of_date`` can also be set for one run, in the run config of the dbt
models (:mod:`dagster_project.defs.run_config`); :meth:`Settings.with_run_parameters` checks
them against the same ranges.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


DEFAULT_TIMEZONE = "Europe/Paris"
DEFAULT_MAX_TABLE_SHRINK = 0.5


class ConfigError(ValueError):
    """An environment variable holds a value the pipeline cannot use."""


# The allowed range (minimum, maximum or None) of every KPI parameter, docs/kpis.md: ratios and
# shares in [0, 1], day counts from 1 to 3,650, targets and counts whole and >= 0, a hub's
# critical mass at least 1. Whole numbers are those whose default in dbt_project.yml is one.
RATIO, DAY_COUNT, COUNT = (0, 1), (1, 3650), (0, None)
PARAMETER_RANGES: dict[str, tuple[int, int | None]] = {
    "critical_mass_target": (1, None),
    "critical_mass_at_risk_ratio": RATIO,
    "min_family_share": RATIO,
    "min_group_size": COUNT,
    "adoption_threshold": RATIO,
    "industrialization_window_days": DAY_COUNT,
    "stuck_poc_days": DAY_COUNT,
    "stuck_pilot_days": DAY_COUNT,
    "staffing_min_hours": COUNT,
    "maintained_lookback_days": DAY_COUNT,
}


@cache
def parameter_defaults() -> dict[str, int | float]:
    """The KPI parameters and their defaults, from the ``vars:`` of dbt_project.yml."""
    with open(DBT_PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as fh:
        declared = yaml.safe_load(fh)["vars"]
    return {name: value for name, value in declared.items() if name != "as_of_date"}


def check_parameter(name: str, value: int | float, given: str | None = None) -> int | float:
    """``value`` if it lies in the spec's range of parameter ``name``, else a :class:`ConfigError`
    that names the parameter as it was ``given`` (default ``name=value``) and the range."""
    low, high = PARAMETER_RANGES[name]
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{given or f'{name}={value!r}'} must be {allowed}")
    return value


def _parse_parameter(name: str, raw: str, default: int | float) -> int | float:
    given = f"KPI_{name.upper()}={raw!r}"
    try:
        value = int(raw) if isinstance(default, int) else float(raw)
    except ValueError:
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise ConfigError(f"{given} is not {kind}") from None
    return check_parameter(name, value, given)


def parse_date(raw: str | None, name: str = "KPI_AS_OF_DATE", today: dt.date | None = None) -> dt.date | None:
    """An as_of_date: ``YYYY-MM-DD`` exactly and not after today (None if ``raw`` is empty), else a
    :class:`ConfigError` naming ``name``: data cannot be complete up to a day still to come."""
    if not raw:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError(raw)
        date = dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a YYYY-MM-DD date") from None
    today = today or dt.date.today()
    if date > today:
        raise ConfigError(f"{name}={raw!r} is after today ({today}): data cannot be complete up to a future date")
    return date


def _parse_share(raw: str | None) -> float:
    if not raw:
        return DEFAULT_MAX_TABLE_SHRINK
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ConfigError(f"KPI_MAX_TABLE_SHRINK={raw!r} must be a share between 0 and 1")
    return value


def _path(env: Mapping[str, str], name: str, default: str) -> Path:
    # absolute, but symbolic links kept: the publish dir is a link swapped at every publication
    return Path(os.path.abspath(PROJECT_ROOT / (env.get(name) or default)))


@dataclass(frozen=True)
class Settings:
    source_dir: Path
    warehouse: Path
    publish_dir: Path
    as_of_date: dt.date | None = None
    schedule_timezone: str = DEFAULT_TIMEZONE
    max_table_shrink: float = DEFAULT_MAX_TABLE_SHRINK
    engine: str = "duckdb"
    parameters: Mapping[str, int | float] = field(default_factory=parameter_defaults)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        parameters = {
            name: _parse_parameter(name, env[f"KPI_{name.upper()}"], default)
            if env.get(f"KPI_{name.upper()}")
            else default
            for name, default in parameter_defaults().items()
        }
        return cls(
            source_dir=_path(env, "KPI_SOURCE_DIR", "seeds"),
            warehouse=_path(env, "KPI_WAREHOUSE", "data/warehouse.duckdb"),
            publish_dir=_path(env, "KPI_PUBLISH_DIR", "data/published"),
            as_of_date=parse_date(env.get("KPI_AS_OF_DATE")),
            schedule_timezone=env.get("KPI_SCHEDULE_TIMEZONE") or DEFAULT_TIMEZONE,
            max_table_shrink=_parse_share(env.get("KPI_MAX_TABLE_SHRINK")),
            engine=env.get("KPI_ENGINE") or "duckdb",
            parameters=parameters,
        )

    def with_run_parameters(self, parameters: Mapping[str, int | float], as_of_date: str | None) -> Settings:
        """These settings with the KPI parameters (and as_of_date) of one run, range-checked as
        the environment's are (a :class:`ConfigError` names the parameter and its range)."""
        unknown = parameters.keys() - self.parameters.keys()
        if unknown:
            raise ConfigError(f"unknown KPI parameters: {', '.join(sorted(unknown))}")
        checked = {name: check_parameter(name, value) for name, value in parameters.items()}
        return dataclasses.replace(self, parameters={**self.parameters, **checked},
                                   as_of_date=parse_date(as_of_date, "as_of_date"))

    def dbt_vars(self) -> dict[str, object]:
        """The ``--vars`` of every dbt invocation: all parameters, as_of_date included."""
        as_of = self.as_of_date.isoformat() if self.as_of_date else None
        return {**self.parameters, "as_of_date": as_of}

    def dbt_env(self) -> dict[str, str]:
        """Environment variables that dbt's profiles.yml reads."""
        return {"KPI_WAREHOUSE": str(self.warehouse)}
