"""The whole pipeline on Apache Spark (KPI_ENGINE=spark): the same figures as DuckDB, value by value,
and the same quality gates, blocking the same way.

One ``make run`` (its entry point, ``python -m dagster_project.run``, in a fresh process) on the
demo sources with ``KPI_ENGINE=spark``: ingestion lands each source as Parquet, the GX source
suites run through GX's Spark datasource, dbt builds every model and data test in a local
SparkSession (dbt-spark, method: session, master local[2]), the publication gate runs on Spark's
tables, and write-audit-publish writes the publication. Its tables are compared cell by cell with
the DuckDB engine's publication of the same sources (the ``demo_published`` fixture, the same
job): floats to 1e-9 relative, every other column exactly, same column types. The dbt unit tests
then run on the Spark warehouse the run left. An injected error defect blocks the run on each
engine, and the publication gate's type rule reads Spark's own schema.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.config import PROJECT_ROOT, Settings
from dagster_project.contract import SOURCES
from dagster_project.dbt_runner import run_dbt
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import read_manifest
from tests.compare_publications import largest_relative_differences, tables
from tests.refresh_runs import RunDirs
from tests.test_dbt_unit_tests import declared_unit_tests

TOLERANCE = 1e-9
SPARK_RUN_TIMEOUT = 1800
# a log4j line of Spark's (default layout "yy/MM/dd HH:mm:ss LEVEL Logger: message"), or its
# announcement of the shell's log level
SPARK_LOG_LINE = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (WARN|INFO) |^Setting default log level", re.MULTILINE)


def _spark_env(dirs: RunDirs) -> dict[str, str]:
    """The run's environment on Spark, every other KPI_* setting at its default (as demo_published's)."""
    env = {k: v for k, v in dirs.env().items() if not k.startswith("KPI_") or k in ("KPI_SOURCE_DIR", "KPI_WAREHOUSE",
                                                                                   "KPI_PUBLISH_DIR")}
    return {**env, "KPI_ENGINE": "spark", "KPI_SPARK_DIR": str(dirs.root / "spark"),
            "KPI_LANDING_DIR": str(dirs.root / "landing")}


@pytest.fixture(scope="module")
def spark_run(dbt_manifest, demo_dir, tmp_path_factory) -> tuple[RunDirs, subprocess.CompletedProcess]:
    """``KPI_ENGINE=spark make run`` on the demo sources, as a user runs it."""
    dirs = RunDirs.make(tmp_path_factory.mktemp("spark_run"), demo_dir)
    done = subprocess.run([sys.executable, "-m", "dagster_project.run"], env=_spark_env(dirs), cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=SPARK_RUN_TIMEOUT)
    return dirs, done


def _evaluations(instance: dg.DagsterInstance, run_id: str) -> list:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    return [r.event_log_entry.dagster_event.event_specific_data for r in records]


def test_make_run_on_spark_publishes_with_every_check_run_on_spark(spark_run):
    dirs, done = spark_run
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [run_id] = re.findall(r"^run (\S+) succeeded in \d+\.\d s$", done.stdout, re.MULTILINE)
    manifest = read_manifest(dirs.publish_dir)
    assert sorted(manifest["tables"]) == sorted(t.name for t in PUBLISHED_TABLES) and manifest["run_id"] == run_id
    with dirs.instance() as instance:
        evaluations = _evaluations(instance, run_id)
        materialized = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    gx = [e for e in evaluations if e.check_name == "gx_suite"]
    # every GX suite ran, on Spark, and passed; so did every dbt data test (built on Spark)
    assert len(gx) == len(SOURCES) + len(PUBLISHED_TABLES)
    assert {e.metadata["engine"].value for e in gx} == {"spark"} and all(e.passed for e in gx)
    assert sum(e.metadata["evaluated_expectations"].value for e in gx) == manifest["validation"]["expectations"] > 300
    dbt_tests = [e for e in evaluations if e.check_name != "gx_suite"]
    assert len(dbt_tests) == manifest["validation"]["dbt_tests"] > 50 and all(e.passed for e in dbt_tests)
    # each source was landed as Parquet by its ingestion asset, where the Spark tables read it
    landed = {r.event_log_entry.dagster_event.asset_key.path[-1]: r.event_log_entry.dagster_event.materialization
              for r in materialized if r.event_log_entry.dagster_event.asset_key.path[0] == "raw"}
    assert set(landed) == {s.name for s in SOURCES}
    for name, materialization in landed.items():
        assert Path(materialization.metadata["landing"].path) == dirs.root / "landing" / name
        assert list((dirs.root / "landing" / name).glob("*.parquet"))
    # the console counts dbt's models live on Spark too; Spark's log stays off it (what may be left
    # is the JVM's own notice of the module pyspark enables, printed before any logging)
    assert re.search(r"transform \(dbt\)\s+\d+/\d+ models", done.stdout)
    assert not SPARK_LOG_LINE.search(done.stderr) and "Traceback" not in done.stderr, done.stderr[-3000:]


def test_spark_publishes_the_same_figures_as_duckdb(spark_run, demo_published):
    dirs, done = spark_run
    assert done.returncode == 0, done.stdout[-3000:]
    publications = {"duckdb": tables(demo_published / "published"), "spark": tables(dirs.publish_dir)}
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


def test_every_dbt_unit_test_passes_on_spark(spark_run):
    """The unit tests on the Spark warehouse the run built (dbt reads its relations' columns)."""
    dirs, done = spark_run
    assert done.returncode == 0, done.stdout[-3000:]
    settings = Settings.from_env(_spark_env(dirs))
    target = dirs.root / "dbt_unit_tests"
    result = run_dbt(["test", "--select", "test_type:unit", "--target-path", str(target)], settings, check=False)
    assert result.returncode == 0, result.stdout[-6000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert {node.rsplit(".", 1)[1] for node in statuses} == declared_unit_tests()
    assert set(statuses.values()) == {"pass"}


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_an_injected_error_defect_blocks_on_each_engine(engine, demo_dir, dbt_manifest, tmp_path):
    """A rate of 0 (the FX_RATE_NOT_POSITIVE defect) fails the fx_rates suite's critical rule on
    the engine's own GX datasource: the check fails with ERROR severity, and dbt, downstream of
    it, does not run. (The clean demo passes every suite on both engines: the runs above.)
    Only the fx_rates check is selected, so the Spark case costs one suite, not eleven."""
    from dagster_project.definitions import build_defs
    from dagster_project.defs.dbt_assets import DBT_ASSETS_NAME
    from dagster_project.defs.raw_assets import RAW_GROUP
    from synthetic.defects import inject_defects
    from tests.conftest import DEMO_SEED

    broken = tmp_path / "broken"
    shutil.copytree(demo_dir, broken)
    inject_defects(broken, rate=0.001, seed=DEMO_SEED, codes={"FX_RATE_NOT_POSITIVE"})
    settings = Settings.from_env({
        "KPI_SOURCE_DIR": str(broken), "KPI_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "KPI_PUBLISH_DIR": str(tmp_path / "published"), "KPI_ENGINE": engine,
        "KPI_SPARK_DIR": str(tmp_path / "spark"), "KPI_LANDING_DIR": str(tmp_path / "landing")})
    defs = build_defs(settings)
    graph = defs.resolve_asset_graph()
    fx_rates = dg.AssetCheckKey(dg.AssetKey(["raw", "fx_rates"]), "gx_suite")
    hub_costs = dg.AssetSelection.assets(dg.AssetKey(["marts", "hub_costs"])).upstream()  # reads fx_rates
    job = defs.resolve_job_def("refresh_all").get_subset(asset_selection=hub_costs.resolve(graph),
                                                         asset_check_selection={fx_rates})
    result = job.execute_in_process(raise_on_error=False)

    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.asset_check_key == fx_rates and not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR and evaluation.metadata["engine"].value == engine
    # the same findings on both engines: the broken rate fails its range (blocking) and, a warning,
    # makes an implausible month-over-month move
    failures = {f["rule"]: (f["severity"], f["count"]) for f in evaluation.metadata["failures"].value}
    assert {rule: severity for rule, (severity, _) in failures.items()} == {
        "rate_to_eur_in_range": "critical", "monthly_move_within_20_percent": "warning"}
    assert failures["rate_to_eur_in_range"][1] >= 1
    assert DBT_ASSETS_NAME not in {e.step_key for e in result.all_events if e.is_step_start}
    assert {m.asset_key.path[0] for m in result.get_asset_materialization_events()} == {RAW_GROUP}


def test_the_type_rule_on_spark_reads_sparks_own_schema(spark_run, tmp_path):
    """A Spark table whose columns drift from the output contract (one retyped, one missing, one
    extra) fails the gate's column rule on Spark, naming each column; Spark's table as built passes."""
    from pyspark.sql import functions as F

    from dagster_project.spark_marts import spark_table_dir
    from dagster_project.validation.gx_spark import local_spark, validate_frames
    from dagster_project.validation.suites import COLUMNS_RULE, load_suite

    dirs, _ = spark_run
    suite = load_suite("marts.hub_headcount_bridge")
    suite = {**suite, "expectations": [e for e in suite["expectations"] if e["meta"]["rule"] == COLUMNS_RULE]}
    with local_spark(tmp_path) as spark:
        built = spark.read.parquet(str(spark_table_dir(dirs.root / "spark", "marts", "hub_headcount_bridge")))
        drifted = built.withColumn("hires", F.col("hires").cast("string")).drop("exits").withColumn("extra", F.lit(1))
        [as_built] = validate_frames(spark, {"marts.hub_headcount_bridge": built}, [suite])
        [drift] = validate_frames(spark, {"marts.hub_headcount_bridge": drifted}, [suite])
    assert as_built.passed and as_built.evaluated == 1
    [failure] = drift.critical_failures
    assert failure.rule == COLUMNS_RULE and failure.unexpected_count == 3
    assert sorted((s["column_name"], s["declared_type"], s["actual_type"]) for s in failure.samples) == [
        ("exits", "BIGINT", None), ("extra", None, "INTEGER"), ("hires", "BIGINT", "VARCHAR")]


def test_every_source_rule_finds_the_same_rows_on_both_engines(defective_dir, tmp_path):
    """Every source suite on the demo with every named defect injected: DuckDB's SQL datasource and
    GX's Spark datasource (on the landed Parquet) report the same failed rules with the same
    counts, so the SQL rules (foreign keys, windows, dates, cross-table) mean the same on both."""
    from dagster_project.landing import land_all
    from dagster_project.validation.gx_spark import validate_on_spark
    from dagster_project.validation.runner import validate
    from dagster_project.validation.suites import load_suite
    from tests.conftest import load_sources

    warehouse, landing = tmp_path / "warehouse.duckdb", tmp_path / "landing"
    with contextlib.closing(load_sources(defective_dir, str(warehouse))) as con:
        land_all(con, [s.name for s in SOURCES], landing, "test")
    suites = [load_suite(f"raw.{s.name}") for s in SOURCES]
    found = {engine: {(r.suite, f.rule): (f.severity, f.unexpected_count, f.error) for r in results for f in r.failures}
             for engine, results in (("duckdb", validate(warehouse, suites)),
                                     ("spark", validate_on_spark(landing, tmp_path / "spark", suites)))}
    assert found["spark"] == found["duckdb"]
    assert not [key for key, (_, _, error) in found["duckdb"].items() if error]
    sql_rules = {rule for suite in suites for rule in
                 (e["meta"]["rule"] for e in suite["expectations"] if e["type"] == "expect_query_to_return_no_rows")}
    assert len({rule for _, rule in found["duckdb"]} & sql_rules) >= 5  # the defects reach the SQL rules


def test_a_step_run_alone_lands_the_sources_this_run_did_not(tmp_path):
    """Landing is by run: a step re-executed without ingestion (or after a DuckDB run loaded other
    sources) re-lands from the warehouse what this run did not land, never reads older files."""
    from dagster_project.landing import PART_FILE, land, land_what_this_run_did_not, landed_by

    warehouse, landing = tmp_path / "warehouse.duckdb", tmp_path / "landing"
    with contextlib.closing(duckdb.connect(str(warehouse))) as con:
        con.execute("create schema raw")
        con.execute("create table raw.hubs as select range as hub_id from range(3)")
        con.execute("create table raw.budgets as select range as hub_id from range(5)")
        land(con, "hubs", landing, "run-a")
        land(con, "budgets", landing, "run-a")
        con.execute("insert into raw.hubs values (3)")  # a later load the landing has not seen

    assert land_what_this_run_did_not(warehouse, landing, "run-a") == []  # landed by this run
    assert sorted(land_what_this_run_did_not(warehouse, landing, "run-b")) == ["budgets", "hubs"]
    assert {landed_by(landing, t) for t in ("hubs", "budgets")} == {"run-b"}
    assert landed_by(landing, "employees") is None  # not in the warehouse: not landed
    with contextlib.closing(duckdb.connect()) as con:
        [(rows,)] = con.execute("select count(*) from read_parquet(?)", [str(landing / "hubs" / PART_FILE)]).fetchall()
    assert rows == 4
