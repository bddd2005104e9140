"""dbt's own unit tests (given/expect YAML beside the models), run by dbt against DuckDB."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from dagster_project.config import DBT_PROJECT_DIR, Settings
from dagster_project.dbt_runner import run_dbt
from tests.conftest import load_sources

CASE = Path(__file__).parent / "fixtures" / "people_case"


def declared_unit_tests() -> set[str]:
    names = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        names |= {t["name"] for t in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", [])}
    return names


def test_every_dbt_unit_test_passes(dbt_manifest, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    load_sources(CASE, str(warehouse)).close()  # raw tables, so that dbt knows the column types
    settings = Settings.from_env({"KPI_WAREHOUSE": str(warehouse), "KPI_AS_OF_DATE": "2024-12-31"})
    built = run_dbt(["run", "--empty"], settings, check=False)
    assert built.returncode == 0, built.stdout[-3000:]
    result = run_dbt(["test", "--select", "test_type:unit"], settings, check=False)
    assert result.returncode == 0, result.stdout[-6000:]
    # each unit test's line (the total PASS= also counts the project's on-run-start hook)
    passed = set(re.findall(r" PASS \w+::(\w+) ", result.stdout))
    expected = declared_unit_tests()
    assert len(expected) >= 10
    assert passed == expected
