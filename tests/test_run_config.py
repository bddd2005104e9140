"""The KPI parameters overridden for one run from the launchpad (the dbt models' run config):
defaults from the environment, the same range checks, and a figure that moves."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.config import ConfigError, Settings
from dagster_project.defs.run_config import kpi_parameters_config
from tests.conftest import run_pipeline

PEOPLE_CASE = Path(__file__).parent / "fixtures" / "people_case"
CASE_ENV = {"KPI_AS_OF_DATE": "2024-12-31", "KPI_MIN_GROUP_SIZE": "4"}  # as tests/test_people_kpis.py


def test_the_launchpad_defaults_are_the_environment_s():
    settings = Settings.from_env({"KPI_STUCK_POC_DAYS": "90", "KPI_AS_OF_DATE": "2025-06-30"})
    config = kpi_parameters_config(settings)()
    assert config.apply(settings) == settings
    assert (config.stuck_poc_days, config.critical_mass_target, config.as_of_date) == (90, 30, "2025-06-30")
    schema = kpi_parameters_config(settings).to_config_schema().as_field().config_type
    assert set(schema.fields) == {*settings.parameters, "as_of_date"}
    assert "from 1 to 3650" in schema.fields["stuck_poc_days"].description


def test_a_run_s_values_reach_dbt_and_are_range_checked():
    settings = Settings.from_env({})
    run = kpi_parameters_config(settings)(critical_mass_target=12, adoption_threshold=0.25,
                                          as_of_date="2024-12-31").apply(settings)
    assert run.dbt_vars() == {**settings.dbt_vars(), "critical_mass_target": 12, "adoption_threshold": 0.25,
                              "as_of_date": "2024-12-31"}
    for values, message in [
        ({"stuck_poc_days": 0}, "stuck_poc_days=0 must be between 1 and 3650"),
        ({"min_family_share": 1.5}, "min_family_share=1.5 must be between 0 and 1"),
        ({"critical_mass_target": 0}, "critical_mass_target=0 must be at least 1"),
        ({"as_of_date": "31/12/2024"}, "as_of_date='31/12/2024' is not a YYYY-MM-DD date"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(message)):
            kpi_parameters_config(settings)(**values).apply(settings)


def test_an_override_moves_the_figure(dbt_manifest, tmp_path):
    """H2 (2 people, no target of its own in hubs.csv) is BELOW the default target of 30; for a
    run with critical_mass_target = 2 it is at critical mass. H1 keeps its own target of 5."""
    warehouse = tmp_path / "warehouse.duckdb"
    result = run_pipeline(PEOPLE_CASE, warehouse, run_config={"critical_mass_target": 2}, **CASE_ENV)
    assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        figures = con.execute("select hub_id, headcount, critical_mass_target, critical_mass_status "
                              "from marts.hub_critical_mass where month = '2024-12-01' order by 1").fetchall()
    assert figures == [("H1", 4, 5, "AT_RISK"), ("H2", 2, 2, "MET")]


def test_a_bad_value_fails_the_run_naming_the_parameter_and_its_range(dbt_manifest, tmp_path):
    result = run_pipeline(PEOPLE_CASE, tmp_path / "warehouse.duckdb", run_config={"stuck_poc_days": 0}, **CASE_ENV)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "kpi_dbt_models"
    assert "stuck_poc_days=0 must be between 1 and 3650" in failure.step_failure_data.error.message
    with pytest.raises(dg.DagsterInvalidConfigError, match="stuck_poc_days"):  # not a whole number
        run_pipeline(PEOPLE_CASE, tmp_path / "other.duckdb", run_config={"stuck_poc_days": 90.5}, **CASE_ENV)
