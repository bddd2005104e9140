"""Configuration: one place, environment overrides, clear errors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dagster_project.config import PARAMETER_RANGES, PROJECT_ROOT, ConfigError, Settings, parameter_defaults


def test_defaults_are_the_spec_defaults():
    assert parameter_defaults() == {
        "critical_mass_target": 30, "critical_mass_at_risk_ratio": 0.8, "min_family_share": 0.15,
        "min_group_size": 5, "adoption_threshold": 0.5, "industrialization_window_days": 365,
        "stuck_poc_days": 180, "stuck_pilot_days": 180, "staffing_min_hours": 8, "maintained_lookback_days": 90,
    }
    settings = Settings.from_env({})
    assert settings.source_dir == PROJECT_ROOT / "seeds"
    assert settings.warehouse == PROJECT_ROOT / "data" / "warehouse.duckdb"
    assert settings.publish_dir == PROJECT_ROOT / "data" / "published"
    assert settings.as_of_date is None


def test_every_parameter_is_overridable_and_reaches_dbt(tmp_path):
    env = {"KPI_MIN_GROUP_SIZE": "1", "KPI_ADOPTION_THRESHOLD": "0.6", "KPI_AS_OF_DATE": "2025-06-30",
           "KPI_WAREHOUSE": str(tmp_path / "w.duckdb"), "KPI_SOURCE_DIR": "other"}
    settings = Settings.from_env(env)
    assert settings.dbt_vars()["min_group_size"] == 1
    assert settings.dbt_vars()["adoption_threshold"] == 0.6
    assert settings.dbt_vars()["as_of_date"] == "2025-06-30"
    assert settings.as_of_date == dt.date(2025, 6, 30)
    assert settings.dbt_env() == {"KPI_WAREHOUSE": str(tmp_path / "w.duckdb"), "KPI_ENGINE": "duckdb"}
    assert settings.source_dir == PROJECT_ROOT / "other"


def test_the_spark_engine_hands_dbt_its_target_and_directories(tmp_path):
    settings = Settings.from_env({"KPI_ENGINE": "spark", "KPI_SPARK_DIR": str(tmp_path / "s"),
                                  "KPI_WAREHOUSE": str(tmp_path / "w.duckdb")})
    assert settings.engine == "spark"
    assert settings.dbt_env() == {"KPI_WAREHOUSE": str(tmp_path / "w.duckdb"), "KPI_ENGINE": "spark",
                                  "KPI_SPARK_DIR": str(tmp_path / "s"),
                                  "KPI_LANDING_DIR": str(tmp_path / "landing")}  # beside the warehouse
    assert Settings.from_env({}).engine == "duckdb"


@pytest.mark.parametrize("env, message", [
    ({"KPI_MIN_GROUP_SIZE": "five"}, "KPI_MIN_GROUP_SIZE='five' is not a whole number"),
    ({"KPI_STUCK_POC_DAYS": "-3"}, "KPI_STUCK_POC_DAYS='-3' must be between 1 and 3650"),
    ({"KPI_STUCK_PILOT_DAYS": "0"}, "KPI_STUCK_PILOT_DAYS='0' must be between 1 and 3650"),
    ({"KPI_STUCK_PILOT_DAYS": "3651"}, "KPI_STUCK_PILOT_DAYS='3651' must be between 1 and 3650"),
    ({"KPI_STUCK_PILOT_DAYS": "90.5"}, "KPI_STUCK_PILOT_DAYS='90.5' is not a whole number"),
    ({"KPI_ADOPTION_THRESHOLD": "1.5"}, "KPI_ADOPTION_THRESHOLD='1.5' must be between 0 and 1"),
    ({"KPI_MIN_FAMILY_SHARE": "nan"}, "KPI_MIN_FAMILY_SHARE='nan' must be between 0 and 1"),
    ({"KPI_CRITICAL_MASS_TARGET": "0"}, "KPI_CRITICAL_MASS_TARGET='0' must be at least 1"),
    ({"KPI_MIN_GROUP_SIZE": "-1"}, "KPI_MIN_GROUP_SIZE='-1' must be at least 0"),
    ({"KPI_ENGINE": "postgres"}, "KPI_ENGINE='postgres' must be one of duckdb, spark"),
    ({"KPI_AS_OF_DATE": "30/06/2025"}, "not a YYYY-MM-DD date"),
    ({"KPI_AS_OF_DATE": "20250630"}, "not a YYYY-MM-DD date"),  # ISO's basic format: not what the spec says
    ({"KPI_AS_OF_DATE": (dt.date.today() + dt.timedelta(days=1)).isoformat()}, "is after today"),
])
def test_bad_values_are_refused(env, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.from_env(env)


def test_every_parameter_has_a_range_that_holds_its_default():
    assert PARAMETER_RANGES.keys() == parameter_defaults().keys()
    for name, default in parameter_defaults().items():
        low, high = PARAMETER_RANGES[name]
        assert low <= default and (high is None or default <= high), name


@pytest.mark.parametrize("name, low, high", [
    (name, low, high) for name, (low, high) in PARAMETER_RANGES.items()
])
def test_the_bounds_of_every_range_are_accepted(name, low, high):
    for value in (low, high) if high is not None else (low,):
        assert Settings.from_env({f"KPI_{name.upper()}": str(value)}).parameters[name] == value


def test_the_spark_folders_go_beside_the_warehouse_unless_set():
    """Two refreshes on two warehouses never share a landing zone or a metastore by default."""
    settings = Settings.from_env({"KPI_WAREHOUSE": "/tmp/team-a/warehouse.duckdb"})
    assert (settings.spark_dir, settings.landing_dir) == (Path("/tmp/team-a/spark"), Path("/tmp/team-a/landing"))
    chosen = Settings.from_env({"KPI_WAREHOUSE": "/tmp/team-a/warehouse.duckdb", "KPI_LANDING_DIR": "/lake/landing"})
    assert chosen.landing_dir == Path("/lake/landing") and chosen.spark_dir == Path("/tmp/team-a/spark")
