"""The same dbt project on Apache Spark (KPI_ENGINE=spark): same figures as DuckDB, value by value.

The demo sources are read once, contract-strict, into DuckDB (as ingestion does); the DuckDB
engine builds the marts from them, the Spark engine from their Parquet landing zone
(dagster_project.landing) in a local SparkSession (dbt-spark, method: session, master
local[2]). Each engine's marts are then published by the same write-audit-publish code
(dagster_project.publish.write_release; Spark's through dagster_project.spark_marts), and the
two publications are compared table by table, cell by cell (floats to 1e-9 relative, every other
column exactly, same column types). One ``dbt build`` on Spark runs every model, every data test
and every unit test, so the Spark part costs one JVM start.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dagster_project.config import Settings
from dagster_project.contract import SOURCES
from dagster_project.dbt_runner import run_dbt
from dagster_project.landing import land_all
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import write_release
from dagster_project.spark_marts import mirror_marts
from tests.compare_publications import largest_relative_differences, tables
from tests.conftest import load_sources
from tests.test_dbt_unit_tests import declared_unit_tests

TOLERANCE = 1e-9


def _engine_settings(root: Path, engine: str, source_dir: Path) -> Settings:
    return Settings.from_env({
        "KPI_SOURCE_DIR": str(source_dir), "KPI_WAREHOUSE": str(root / "warehouse.duckdb"),
        "KPI_PUBLISH_DIR": str(root / "published"), "KPI_ENGINE": engine,
        "KPI_SPARK_DIR": str(root / "spark"), "KPI_LANDING_DIR": str(root / "landing"),
    })


def _build(settings: Settings, root: Path) -> tuple[subprocess.CompletedProcess, dict]:
    """``dbt build`` (models, data tests, unit tests) into its own target folder; the process and
    run_results.json."""
    target = root / "dbt_target"
    result = run_dbt(["build", "--target-path", str(target)], settings, check=False)
    path = target / "run_results.json"
    return result, json.loads(path.read_text()) if path.exists() else {"results": []}


@pytest.fixture(scope="module")
def engines(demo_dir, tmp_path_factory):
    """Both engines built and published from the demo sources: {engine: (root, dbt, results)}."""
    built = {}
    for engine in ("duckdb", "spark"):
        root = tmp_path_factory.mktemp(engine)
        settings = _engine_settings(root, engine, demo_dir)
        con = load_sources(demo_dir, str(settings.warehouse))
        if engine == "spark":
            land_all(con, [s.name for s in SOURCES], settings.landing_dir)
        con.close()
        result, run_results = _build(settings, root)
        if engine == "spark" and result.returncode == 0:
            mirror_marts(settings.spark_dir, settings.warehouse)
        if result.returncode == 0:
            write_release(settings.warehouse, root / "release", PUBLISHED_TABLES, {"engine": engine})
        built[engine] = (root, result, run_results)
    return built


def test_every_model_data_test_and_unit_test_passes_on_spark(engines):
    _, result, run_results = engines["spark"]
    assert result.returncode == 0, result.stdout[-6000:]
    statuses = {r["unique_id"]: r["status"] for r in run_results["results"]}
    failed = {node: status for node, status in statuses.items() if status not in ("success", "pass")}
    assert not failed
    unit_tests = {node.rsplit(".", 1)[1] for node in statuses if node.startswith("unit_test.")}
    assert unit_tests == declared_unit_tests()
    models = {node for node in statuses if node.startswith("model.")}
    duckdb_models = {r["unique_id"] for r in engines["duckdb"][2]["results"] if r["unique_id"].startswith("model.")}
    assert models == duckdb_models and len(models) > 40
    assert sum(node.startswith("test.") for node in statuses) > 50


def test_spark_publishes_the_same_figures_as_duckdb(engines):
    import contextlib

    import duckdb

    publications = {engine: tables(root / "release") for engine, (root, _, _) in engines.items()}
    assert set(publications["spark"]) == set(publications["duckdb"]) == {t.name for t in PUBLISHED_TABLES}
    report = {}
    with contextlib.closing(duckdb.connect()) as con:
        for table in sorted(publications["duckdb"]):
            before, after = publications["duckdb"][table], publications["spark"][table]
            rows = [con.execute("select count(*) from read_parquet(?)", [str(p)]).fetchone()[0]
                    for p in (before, after)]
            worst, problems = largest_relative_differences(con, table, before, after)
            report[table] = (rows, max(worst.values(), default=0.0), problems)
    assert {t: r for t, r in report.items() if r[2] or r[1] > TOLERANCE or r[0][0] != r[0][1]} == {}
    assert sum(rows[0] for rows, _, _ in report.values()) > 1000  # the demo publishes real tables


def test_the_publication_gate_passes_on_the_spark_marts(engines):
    """The GX suites of the published tables (types included) accept what Spark built."""
    from dagster_project.validation.runner import validate
    from dagster_project.validation.suites import load_suite

    root, _, _ = engines["spark"]
    results = validate(root / "warehouse.duckdb", [load_suite(f"marts.{t.name}") for t in PUBLISHED_TABLES])
    assert {r.table: [f.rule for f in r.critical_failures] for r in results if not r.passed} == {}
    assert sum(r.evaluated for r in results) > 100


def _validate_fx_rates(engine: str, source_dir: Path, root: Path):
    """The raw.fx_rates suite of expectations/ on ``source_dir``'s fx_rates, on ``engine``: DuckDB's
    SQL datasource on the warehouse, or GX's Spark datasource on the landed Parquet."""
    from dagster_project.validation.gx_spark import landing_frames, local_spark, validate_frames
    from dagster_project.validation.runner import validate
    from dagster_project.validation.suites import load_suite

    warehouse, landing = root / "warehouse.duckdb", root / "landing"
    root.mkdir(parents=True)
    con = load_sources(source_dir, str(warehouse))
    if engine == "spark":
        land_all(con, ["fx_rates"], landing)
    con.close()
    suite = load_suite("raw.fx_rates")
    if engine == "duckdb":
        [result] = validate(warehouse, [suite])
    else:
        with local_spark(root / "spark") as spark:
            [result] = validate_frames(spark, landing_frames(spark, landing, ["fx_rates"]), [suite])
    return result


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_an_injected_error_defect_blocks_on_each_engine(engine, demo_dir, tmp_path):
    """A rate of 0 (the FX_RATE_NOT_POSITIVE defect) fails its critical rule, so the check blocks;
    the clean demo passes the same suite on the same engine."""
    from synthetic.defects import inject_defects
    from tests.conftest import DEMO_SEED

    broken = tmp_path / "broken"
    shutil.copytree(demo_dir, broken)
    inject_defects(broken, rate=0.001, seed=DEMO_SEED, codes={"FX_RATE_NOT_POSITIVE"})
    clean = _validate_fx_rates(engine, demo_dir, tmp_path / "clean")
    defective = _validate_fx_rates(engine, broken, tmp_path / "defective")
    assert clean.passed and clean.evaluated == defective.evaluated == 7
    assert not defective.passed
    [failure] = defective.critical_failures
    assert failure.rule == "rate_to_eur_in_range" and failure.unexpected_count >= 1
