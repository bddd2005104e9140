"""The output contract: what is published is what is declared, the GX gate enforces the
declaration, and the model logic is dbt's (each invariant has one owner)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.config import Settings
from dagster_project.dbt_runner import MANIFEST_PATH, run_dbt
from dagster_project.output_contract import (
    PERSON_IDENTIFIERS,
    PUBLISHED_TABLES,
    PUBLISHED_TABLES_DOC,
    published_tables_markdown,
)
from dagster_project.validation.runner import validate
from dagster_project.validation.suites import load_suite

GATE_TESTS = {"unique", "not_null", "accepted_values", "unique_combination", "within_range"}


def mart_models() -> dict[str, dict]:
    nodes = json.loads(MANIFEST_PATH.read_text())["nodes"].values()
    return {n["name"]: n for n in nodes if n["resource_type"] == "model" and n["fqn"][1] == "marts"}


def test_every_mart_is_declared_and_no_column_names_a_person(dbt_manifest):
    assert sorted(mart_models()) == sorted(t.name for t in PUBLISHED_TABLES)
    for table in PUBLISHED_TABLES:
        for column in table.column_names:
            assert not any(word in column for word in PERSON_IDENTIFIERS), f"{table.name}.{column}"
        assert table.description and all(c.description for c in table.columns), table.name


def test_the_published_tables_doc_is_current():
    assert PUBLISHED_TABLES_DOC.read_text() == published_tables_markdown(), "run make contract"


def test_dbt_tests_the_logic_and_leaves_the_gate_to_gx(dbt_manifest):
    """No grain, not-null, range or enum test on a published table: its GX suite owns them."""
    marts = {n["unique_id"] for n in mart_models().values()}
    nodes = json.loads(MANIFEST_PATH.read_text())["nodes"].values()
    on_marts = [n for n in nodes if n["resource_type"] == "test" and n.get("attached_node") in marts]
    kinds = {n["test_metadata"]["name"] for n in on_marts if n.get("test_metadata")}
    assert kinds and not kinds & GATE_TESTS, kinds & GATE_TESTS
    assert {"expression_is_true", "sums_to_ledger", "relationships"} <= kinds


def test_the_publication_is_the_contract(demo_published):
    with duckdb.connect(str(demo_published / "published" / "kpi.duckdb"), read_only=True) as kpi:
        for table in PUBLISHED_TABLES:
            columns = kpi.execute("select column_name, data_type, comment from duckdb_columns() "
                                  "where table_name = ? order by column_index", [table.name]).fetchall()
            assert columns == [(c.name, c.type, c.description) for c in table.columns], table.name
            [(comment,)] = kpi.execute("select comment from duckdb_tables() where table_name = ?",
                                       [table.name]).fetchall()
            assert comment == table.description
            keys = ", ".join(table.grain)
            ordered = kpi.execute(f"select count(*) from (select {keys}, row_number() over () as n, "
                                  f"row_number() over (order by {keys}) as m from {table.name}) where n <> m")
            assert ordered.fetchone()[0] == 0, f"{table.name}: rows not in grain order"


def copy_good_warehouse(demo_published: Path, path: Path) -> Path:
    """A fresh copy of the session's good warehouse at ``path`` (replacing an earlier one)."""
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    shutil.copy(demo_published / "warehouse.duckdb", path)
    return path


@pytest.fixture
def warehouse_copy(demo_published, tmp_path):
    return copy_good_warehouse(demo_published, tmp_path / "warehouse.duckdb")


@pytest.fixture(scope="module")
def dbt_test_dir(tmp_path_factory) -> Path:
    """The folder of the dbt test runs below: dbt reuses its parse from one run to the next only
    when the warehouse path (the profile), the vars and the target folder are the same."""
    return tmp_path_factory.mktemp("dbt_test")


@pytest.fixture
def warehouse_at_one_path(demo_published, dbt_test_dir):
    """A fresh copy of the good warehouse for each test, always at the same path."""
    return copy_good_warehouse(demo_published, dbt_test_dir / "warehouse.duckdb")


def test_the_gate_refuses_a_mart_off_its_contract(warehouse_copy):
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("alter table marts.hub_critical_mass add column employee_id varchar")
        con.execute("update marts.hub_critical_mass set share_it = 1.5, critical_mass_status = 'GREAT', "
                    "hub_name = null where month = '2024-01-01' and hub_id = 'H001'")
        con.execute("insert into marts.hub_critical_mass select * from marts.hub_critical_mass "
                    "where month = '2024-02-01' and hub_id = 'H001'")
        con.execute("update marts.exit_reasons set avg_headcount = -1 where period_type = 'YEAR'")
        con.execute("update marts.company_scorecard set attrition_rate_12m = 1.2 where month = '2024-01-01'")
    suites = [load_suite(f"marts.{name}") for name in ("hub_critical_mass", "exit_reasons", "company_scorecard")]
    results = {r.suite: r for r in validate(warehouse_copy, suites)}
    failed = {suite: {(f.rule, f.severity, f.unexpected_count) for f in r.failures} for suite, r in results.items()}
    assert failed["marts.hub_critical_mass"] == {
        ("columns_match_contract", "critical", 1), ("grain_is_unique", "critical", 1),
        ("hub_name_not_null", "critical", 1), ("share_it_is_a_rate", "critical", 1),
        ("critical_mass_status_in_list", "critical", 1)}
    [extra] = next(f for f in results["marts.hub_critical_mass"].failures if f.rule == "columns_match_contract").samples
    assert extra == {"column_name": "employee_id", "declared_type": None, "actual_type": "VARCHAR"}
    assert {rule for rule, *_ in failed["marts.exit_reasons"]} == {"avg_headcount_in_range"}
    # a rate that may exceed 1 in real data warns, and does not block
    assert failed["marts.company_scorecard"] == {("attrition_rate_12m_is_a_rate", "warning", 1)}
    assert results["marts.company_scorecard"].passed and not results["marts.hub_critical_mass"].passed


@pytest.mark.parametrize("table, tampering, failing_test", [
    ("talent_staffing",  # a NULL rate in a month the hub's employees logged working hours
     "update marts.talent_staffing set staffing_rate = null where staffing_rate is not null "
     "and month = (select max(month) from marts.talent_staffing)",
     "null_only_without_working_hours"),
    ("exit_reasons",  # a small group's reasons shown
     "update marts.exit_reasons set is_suppressed = false, suppression = null, voluntary_exits = exits, "
     "involuntary_exits = 0, other_exits = 0, regretted_exits = 0 where exits between 1 and 4",
     "exit_reasons_no_small_group_shown"),
    ("hub_headcount_bridge", "update marts.hub_headcount_bridge set hires = hires + 1 where month = '2024-01-01'",
     "hub_headcount_bridge_identity"),
])
def test_dbt_owns_the_model_logic(warehouse_at_one_path, table, tampering, failing_test):
    with duckdb.connect(str(warehouse_at_one_path)) as con:
        con.execute(tampering)
        assert con.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0
    settings = Settings.from_env({"KPI_WAREHOUSE": str(warehouse_at_one_path), "KPI_AS_OF_DATE": "2026-09-30"})
    result = run_dbt(["test", "--select", table, "--exclude-resource-type", "unit_test",
                      "--target-path", str(warehouse_at_one_path.parent / "target")], settings, check=False)
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if "FAIL" in line and failing_test in line]
    assert failed, result.stdout[-3000:]
