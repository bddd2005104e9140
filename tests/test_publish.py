"""Write-audit-publish: what BI tools read was validated, is complete, and never half-written."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from dagster_project.config import PROJECT_ROOT
from dagster_project.contract import SOURCES
from dagster_project.dbt_runner import DBT_TARGET_DIR, TARGETS_KEPT
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import prune, publish, read_manifest, releases_dir, swap_in
from dagster_project.report import build_report
from synthetic.defects import DEFECTS, inject_defects
from tests.conftest import DEMO_SEED, run_pipeline

TABLES = [t.name for t in PUBLISHED_TABLES]


def snapshot(publish_dir: Path) -> dict:
    """Where the link points and the SHA-256 of every published file."""
    release = publish_dir.resolve()
    files = {str(p.relative_to(release)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(release.rglob("*")) if p.is_file()}
    return {"target": os.readlink(publish_dir), "files": files}


@pytest.fixture
def published(demo_published):
    return demo_published


def test_every_table_is_published_in_duckdb_and_parquet(published, demo_dir):
    publish_dir = published / "published"
    manifest = read_manifest(publish_dir)
    assert sorted(manifest["tables"]) == sorted(TABLES)
    with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as warehouse, \
            duckdb.connect(str(publish_dir / "kpi.duckdb"), read_only=True) as kpi:
        [(version,)] = kpi.execute("select tags['storage_version'] from duckdb_databases() "
                                   "where database_name = 'kpi'").fetchall()
        assert version.startswith("v1.0.0")  # readable by DuckDB 1.x clients
        for table in TABLES:
            [(expected,)] = warehouse.execute(f"select count(*) from marts.{table}").fetchall()
            [(in_duckdb,)] = kpi.execute(f"select count(*) from {table}").fetchall()
            in_parquet = pq.read_table(publish_dir / "parquet" / f"{table}.parquet").num_rows
            assert expected == in_duckdb == in_parquet == manifest["tables"][table]["row_count"] > 0, table
        assert kpi.execute("select * from hub_costs limit 1").fetchall()
    index = (publish_dir / "data_docs" / "index.html").read_text()
    # GX Data Docs of every suite of the last validation
    assert index.count("<li>") == len(SOURCES) + len(PUBLISHED_TABLES)
    assert "Great Expectations" in (publish_dir / "data_docs" / "marts.hub_costs.html").read_text()
    builds = list(DBT_TARGET_DIR.glob("kpi_dbt_models-*"))
    assert 1 <= len(builds) <= TARGETS_KEPT  # each build's dbt folder; older ones pruned


def test_manifest_says_what_the_numbers_stand_on(published, demo_dir):
    manifest = read_manifest(published / "published")
    assert manifest["as_of_date"] == "2026-09-30" and manifest["run_id"]
    assert manifest["published_at"] >= manifest["run_started_at"]
    assert len(manifest["sources"]) == 11
    for source in manifest["sources"]:
        assert "file" not in source  # no absolute path: the name is relative to the source directory
        path = demo_dir / source["name"]
        assert source["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert source["row_count"] > 0


def test_error_defects_block_and_leave_the_publication_byte_identical(published, defective_dir, tmp_path):
    publish_dir = published / "published"
    before = snapshot(publish_dir)
    result = run_pipeline(defective_dir, tmp_path / "warehouse.duckdb", publish_dir=publish_dir)
    assert not result.success
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    errors = {c.asset_key.path[-1] for c in failed if c.severity.value == "ERROR"}
    assert {"employees", "employment_events", "timesheets", "cost_lines", "usage_events"} <= errors
    report = next(c for c in failed if c.asset_key.path[-1] == "cost_lines").metadata["failed_expectations"].value
    assert "fx_rate_exists" in report and "line_id=" in report
    assert not any(e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path[0] == "published"
                   for e in result.all_events)
    assert snapshot(publish_dir) == before


def test_warning_defects_publish_with_the_warning_visible(published, demo_dir, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(demo_dir, sources)
    inject_defects(sources, 0.001, DEMO_SEED, codes={d.code for d in DEFECTS if d.severity == "warning"})
    publish_dir = tmp_path / "published"
    result = run_pipeline(sources, tmp_path / "warehouse.duckdb", publish_dir=publish_dir)
    assert result.success
    warned = {c.asset_key.path[-1]: c for c in result.get_asset_check_evaluations()
              if not c.passed and c.check_name == "gx_suite"}
    assert {"employment_events", "cost_lines", "fx_rates", "usage_events"} <= set(warned)
    assert all(c.severity.value == "WARN" for c in warned.values())
    assert "same_hub_transfer" in warned["employment_events"].metadata["failed_expectations"].value
    assert read_manifest(publish_dir)["tables"]["hub_costs"]["row_count"] > 0


def test_a_table_shrinking_too_much_blocks(published, demo_dir, tmp_path):
    publish_dir = published / "published"
    before = snapshot(publish_dir)
    # an as_of_date two years earlier: the monthly tables lose more than half of their rows
    result = run_pipeline(demo_dir, tmp_path / "warehouse.duckdb", publish_dir=publish_dir,
                          KPI_AS_OF_DATE="2024-06-30")
    assert not result.success
    failed = {c.asset_key.path[-1]: c for c in result.get_asset_check_evaluations() if not c.passed}
    assert "row_count_vs_previous_publication" in failed["hub_critical_mass"].metadata["failed_expectations"].value
    assert snapshot(publish_dir) == before


PUBLISH_IN_A_LOOP = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dagster_project.publish import publish
    from dagster_project.output_contract import PUBLISHED_TABLES
    from dagster_project.report import build_report
    warehouse, publish_dir, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    manifest = {"run_id": name, "as_of_date": "2026-09-30"}
    publish(warehouse, publish_dir, PUBLISHED_TABLES, manifest, name, complete=build_report)
""")


def assert_whole(publish_dir: Path) -> str:
    """The publication is one complete release; returns its run id."""
    manifest = read_manifest(publish_dir)
    with duckdb.connect(str(publish_dir / "kpi.duckdb"), read_only=True) as kpi:
        for table, info in manifest["tables"].items():
            assert kpi.execute(f"select count(*) from {table}").fetchall()[0][0] == info["row_count"]
            assert pq.read_metadata(publish_dir / info["parquet"]).num_rows == info["row_count"]
    assert manifest["run_id"] in (publish_dir / "report" / "index.html").read_text()  # the report of these tables
    return manifest["run_id"]


def test_sigkill_while_publishing_leaves_the_old_or_the_new_publication(published, tmp_path):
    publish_dir = tmp_path / "published"
    warehouse = published / "warehouse.duckdb"
    publish(warehouse, publish_dir, PUBLISHED_TABLES, {"run_id": "r000", "as_of_date": "2026-09-30"}, "r000",
            complete=build_report)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    seen = set()
    for attempt, delay in enumerate([0.05, 0.15, 0.25, 0.35, 0.5, 0.7, 0.9, 1.2, 1.6, 5.0], start=1):
        name = f"r{attempt:03d}"
        child = subprocess.Popen([sys.executable, "-c", PUBLISH_IN_A_LOOP, str(warehouse), str(publish_dir), name],
                                 env=env)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL) if child.poll() is None else None
        child.wait()
        seen.add(assert_whole(publish_dir))
    assert "r000" in seen or len(seen) > 1  # killed early it kept the old one, late it took the new one
    assert assert_whole(publish_dir) in {f"r{n:03d}" for n in range(11)}


READER = textwrap.dedent("""
    import sys, time, duckdb, pyarrow.parquet as pq
    publish_dir, seconds = sys.argv[1], float(sys.argv[2])
    reads, errors, deadline = 0, [], time.time() + seconds
    held = duckdb.connect(publish_dir + "/kpi.duckdb", read_only=True)  # an old file kept open
    while time.time() < deadline:
        try:
            with duckdb.connect(publish_dir + "/kpi.duckdb", read_only=True) as con:
                con.execute("select count(*) from hub_costs").fetchall()
            pq.read_table(publish_dir + "/parquet/cost_per_solution.parquet")
            held.execute("select count(*) from hub_critical_mass").fetchall()
            reads += 1
        except Exception as exc:
            errors.append(repr(exc))
    print(reads, len(errors), errors[:3])
""")


def test_a_reader_keeps_working_while_a_refresh_publishes(published, tmp_path):
    publish_dir = tmp_path / "published"
    warehouse = published / "warehouse.duckdb"
    publish(warehouse, publish_dir, PUBLISHED_TABLES, {"run_id": "first"}, "first")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    reader = subprocess.Popen([sys.executable, "-c", READER, str(publish_dir), "6"], env=env,
                              stdout=subprocess.PIPE, text=True)
    time.sleep(1)
    for n in range(4):
        publish(warehouse, publish_dir, PUBLISHED_TABLES, {"run_id": f"refresh{n}"}, f"refresh{n}")
    out, _ = reader.communicate(timeout=60)
    reads, errors, sample = out.split(" ", 2)
    assert int(errors) == 0, sample
    assert int(reads) > 10
    assert read_manifest(publish_dir)["run_id"] == "refresh3"


def test_the_next_nightly_run_publishes_over_the_last_one(published, demo_dir, tmp_path):
    publish_dir = published / "published"
    before = snapshot(publish_dir)
    result = run_pipeline(demo_dir, tmp_path / "warehouse.duckdb", publish_dir=publish_dir)
    assert result.success
    after = snapshot(publish_dir)
    assert after["target"] != before["target"] and publish_dir.is_symlink()
    assert (publish_dir.parent / before["target"]).is_dir()  # the previous release is kept for open readers
    old, new = (pq.read_table(publish_dir.parent / s["target"] / "parquet" / "hub_costs.parquet").to_pandas()
                for s in (before, after))
    assert old[["hub_id", "month"]].equals(new[["hub_id", "month"]])  # same rows, in grain order
    assert new["total_cost_eur"].to_numpy() == pytest.approx(old["total_cost_eur"].to_numpy(), rel=1e-12)


def test_pruning_keeps_the_current_and_the_replaced_release_only(tmp_path):
    """A leftover of a killed attempt (newer than the live release) never outlives the release
    that open readers may still hold."""
    publish_dir = tmp_path / "published"
    for name in ("r1-old", "r2-previous", "r3-killed-attempt", "r4-current"):
        (releases_dir(publish_dir) / name).mkdir(parents=True)
    swap_in(publish_dir, releases_dir(publish_dir) / "r4-current")
    stale = prune(publish_dir, previous=releases_dir(publish_dir) / "r2-previous")
    assert sorted(p.name for p in stale) == ["r1-old", "r3-killed-attempt"]
    assert sorted(p.name for p in releases_dir(publish_dir).iterdir()) == ["r2-previous", "r4-current"]


def test_a_failure_while_writing_a_release_leaves_nothing_behind(published, tmp_path):
    publish_dir = tmp_path / "published"
    warehouse = published / "warehouse.duckdb"
    publish(warehouse, publish_dir, PUBLISHED_TABLES, {"run_id": "good"}, "good")
    before = snapshot(publish_dir)

    def broken_report(release: Path):
        raise RuntimeError("the report failed")

    with pytest.raises(RuntimeError, match="the report failed"):
        publish(warehouse, publish_dir, PUBLISHED_TABLES, {"run_id": "bad"}, "bad", complete=broken_report)
    assert snapshot(publish_dir) == before
    assert [p.name for p in releases_dir(publish_dir).iterdir()] == ["good"]
