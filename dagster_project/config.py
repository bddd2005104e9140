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
* ``KPI_MAX_TABLE_SHRINK`` - a published table may not lose more than this share of its rows
  from one publication to the next (default 0.5); more blocks publishing
* ``KPI_ENGINE`` - ``duckdb`` (default) or ``spark``: the dbt target the models run on
* ``KPI_SPARK_DIR`` - the Spark engine's metastore and table files (default ``spark/`` beside the warehouse)
* ``KPI_LANDING_DIR`` - the sources as Parquet, one directory per table, that the Spark
  engine's raw tables read (default ``landing/`` beside the warehouse)
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
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


DEFAULT_TIMEZONE = "Europe/Paris"
DEFAULT_MAX_TABLE_SHRINK = 0.5
ENGINES = ("duckdb", "spark")


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


def _parse_timezone(raw: str | None) -> str:
    if not raw:
        return DEFAULT_TIMEZONE
    try:
        zoneinfo.ZoneInfo(raw)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ConfigError(f"KPI_SCHEDULE_TIMEZONE={raw!r} is not an IANA time zone (e.g. {DEFAULT_TIMEZONE})") from None
    return raw


def _warehouse(path: Path) -> Path:
    """dbt-duckdb reads the warehouse path as a URL and names the catalog after its file name:
    a ``?`` or ``#`` anywhere, or a ``;`` in the file name, would cut it short."""
    if "?" in str(path) or "#" in str(path) or ";" in path.name:
        raise ConfigError(f"KPI_WAREHOUSE={str(path)!r}: dbt-duckdb cannot open a path holding '?' or '#', "
                          "or a file name holding ';'; choose another")
    return path


def _parse_engine(raw: str | None) -> str:
    engine = raw or ENGINES[0]
    if engine not in ENGINES:
        raise ConfigError(f"KPI_ENGINE={raw!r} must be one of {', '.join(ENGINES)}")
    return engine


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
    parameters: Mapping[str, int | float] = field(default_factory=parameter_defaults)
    engine: str = ENGINES[0]
    spark_dir: Path = PROJECT_ROOT / "data" / "spark"
    landing_dir: Path = PROJECT_ROOT / "data" / "landing"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        parameters = {
            name: _parse_parameter(name, env[f"KPI_{name.upper()}"], default)
            if env.get(f"KPI_{name.upper()}")
            else default
            for name, default in parameter_defaults().items()
        }
        warehouse = _warehouse(_path(env, "KPI_WAREHOUSE", "data/warehouse.duckdb"))
        return cls(
            source_dir=_path(env, "KPI_SOURCE_DIR", "seeds"),
            warehouse=warehouse,
            publish_dir=_path(env, "KPI_PUBLISH_DIR", "data/published"),
            as_of_date=parse_date(env.get("KPI_AS_OF_DATE")),
            schedule_timezone=_parse_timezone(env.get("KPI_SCHEDULE_TIMEZONE")),
            max_table_shrink=_parse_share(env.get("KPI_MAX_TABLE_SHRINK")),
            parameters=parameters,
            engine=_parse_engine(env.get("KPI_ENGINE")),
            # Spark's folders beside the warehouse by default: under its refresh lock with it
            spark_dir=_path(env, "KPI_SPARK_DIR", str(warehouse.parent / "spark")),
            landing_dir=_path(env, "KPI_LANDING_DIR", str(warehouse.parent / "landing")),
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
        """Environment variables that dbt's profiles.yml reads (the engine chooses the target)."""
        env = {"KPI_WAREHOUSE": str(self.warehouse), "KPI_ENGINE": self.engine}
        if self.engine == "spark":
            env |= {"KPI_SPARK_DIR": str(self.spark_dir), "KPI_LANDING_DIR": str(self.landing_dir)}
        return env


# --- failure notifications (defs/notifications.py, notify.py) -----------------------------------
# Off unless configured: an email through KPI_ALERT_SMTP_HOST and/or a Slack-compatible webhook.

def _port(raw: str | None, name: str, default: int) -> int:
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"{name}={raw!r} is not a TCP port (1-65535)")
    return int(raw)


def _flag(raw: str | None, name: str) -> bool:
    if (raw or "").lower() not in {"", "0", "1", "true", "false", "yes", "no"}:
        raise ConfigError(f"{name}={raw!r} must be true or false")
    return (raw or "").lower() in {"1", "true", "yes"}


def _http_url(raw: str | None, name: str) -> str | None:
    if raw and not re.fullmatch(r"https?://[^\s/]+\S*", raw):
        raise ConfigError(f"{name}={raw!r} is not an http(s) URL")
    return raw.rstrip("/") if raw else None


@dataclass(frozen=True)
class AlertSettings:
    """Where a failed ``refresh_all`` run is reported; every channel is off by default.

    * ``KPI_ALERT_SMTP_HOST`` (turns email on), ``KPI_ALERT_SMTP_PORT`` (default 25),
      ``KPI_ALERT_SMTP_FROM``, ``KPI_ALERT_SMTP_TO`` (comma-separated), optional
      ``KPI_ALERT_SMTP_USER`` / ``KPI_ALERT_SMTP_PASSWORD`` and ``KPI_ALERT_SMTP_STARTTLS=true``
    * ``KPI_ALERT_WEBHOOK_URL`` - a Slack-compatible incoming webhook (JSON ``{"text": ...}``)
    * ``KPI_UI_BASE_URL`` - the Dagster UI's address, e.g. ``http://dagster.internal:3000``: the
      message then links to the run
    """

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str | None = None
    smtp_to: tuple[str, ...] = ()
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    webhook_url: str | None = None
    ui_base_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AlertSettings:
        env = os.environ if env is None else env
        host = env.get("KPI_ALERT_SMTP_HOST") or None
        recipients = tuple(a.strip() for a in (env.get("KPI_ALERT_SMTP_TO") or "").split(",") if a.strip())
        sender = env.get("KPI_ALERT_SMTP_FROM") or None
        if host and not (recipients and sender):
            raise ConfigError("KPI_ALERT_SMTP_HOST is set: KPI_ALERT_SMTP_FROM and KPI_ALERT_SMTP_TO are needed too")
        if bool(env.get("KPI_ALERT_SMTP_USER")) != bool(env.get("KPI_ALERT_SMTP_PASSWORD")):
            raise ConfigError("KPI_ALERT_SMTP_USER and KPI_ALERT_SMTP_PASSWORD go together")
        return cls(
            smtp_host=host,
            smtp_port=_port(env.get("KPI_ALERT_SMTP_PORT"), "KPI_ALERT_SMTP_PORT", 25),
            smtp_from=sender,
            smtp_to=recipients,
            smtp_user=env.get("KPI_ALERT_SMTP_USER") or None,
            smtp_password=env.get("KPI_ALERT_SMTP_PASSWORD") or None,
            smtp_starttls=_flag(env.get("KPI_ALERT_SMTP_STARTTLS"), "KPI_ALERT_SMTP_STARTTLS"),
            webhook_url=_http_url(env.get("KPI_ALERT_WEBHOOK_URL"), "KPI_ALERT_WEBHOOK_URL"),
            ui_base_url=_http_url(env.get("KPI_UI_BASE_URL"), "KPI_UI_BASE_URL"),
        )

    @property
    def channels(self) -> list[str]:
        """Where a failure goes, in words (empty: notifications are off)."""
        email = [f"email to {', '.join(self.smtp_to)} via {self.smtp_host}:{self.smtp_port}"] if self.smtp_host else []
        return email + (["the webhook KPI_ALERT_WEBHOOK_URL"] if self.webhook_url else [])
