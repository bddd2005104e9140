"""Every failure explained: :func:`explain_run` reads a real failed run from a real instance and
names each failed step and check in one line with its cause; :func:`exit_code` sorts bad data (1)
from the environment (2) and another refresh (3).

Each class is produced for real on a tmp copy of the demo sources: the part of ``refresh_all``
it needs is executed against a Dagster instance in a tmp dir (ingest alone for a broken file,
ingest and the source checks for failed rules, the publication alone, on a copy of the warehouse
of the session's good run, for a full disk or a read-only publish directory).
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.config import Settings
from dagster_project.contract import SOURCES
from dagster_project.definitions import build_defs
from dagster_project.defs.publish_asset import PUBLICATION, REPORT
from dagster_project.defs.raw_assets import raw_asset_key
from dagster_project.failures import BAD_DATA, CONCURRENCY, ENVIRONMENT, exit_code, explain_run

RAW_KEYS = [raw_asset_key(s) for s in SOURCES]
INGEST = dg.AssetSelection.assets(*RAW_KEYS).without_checks()
INGEST_AND_CHECK = dg.AssetSelection.assets(*RAW_KEYS)
SOURCE_CHECKS_ONLY = dg.AssetSelection.checks_for_assets(*RAW_KEYS)
PUBLISH = dg.AssetSelection.assets(PUBLICATION, REPORT).without_checks()
UNCHANGED = "nothing was published: the last good publication is unchanged"


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    """A real Dagster instance (SQLite storage in a tmp Dagster home) for the runs of this module."""
    with dg.DagsterInstance.local_temp(str(tmp_path_factory.mktemp("dagster_home"))) as instance:
        yield instance


def run_part(instance, selection: dg.AssetSelection, sources: Path, warehouse: Path, publish_dir: Path) -> str:
    """Execute the part ``selection`` of ``refresh_all`` on the instance; the run's id."""
    defs = build_defs(Settings.from_env({"KPI_SOURCE_DIR": str(sources), "KPI_WAREHOUSE": str(warehouse),
                                         "KPI_PUBLISH_DIR": str(publish_dir)}))
    graph = defs.resolve_asset_graph()
    job = defs.resolve_job_def("refresh_all").get_subset(
        asset_selection=selection.resolve(graph), asset_check_selection=selection.resolve_checks(graph))
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    return result.run_id


def explained(instance, run_id: str) -> tuple[list[str], int]:
    return explain_run(instance, run_id), exit_code(instance, run_id)


def test_failed_rules_are_named_with_their_counts(dbt_manifest, instance, source_copy, tmp_path):
    budgets = source_copy / "costs" / "budgets.csv"
    header, first, *rest = budgets.read_text().splitlines()
    hub, year, _ = first.split(",")
    budgets.write_text("\n".join([header, f"{hub},{year},-1000.00", *rest]) + "\n")
    run_id = run_part(instance, INGEST_AND_CHECK, source_copy, tmp_path / "wh.duckdb", tmp_path / "pub")
    lines, code = explained(instance, run_id)
    assert lines == ["check raw/budgets [gx_suite] failed: critical rule budget_eur_in_range: 1 row "
                     "-> correct the data (docs/validation.md explains each rule), then run again", UNCHANGED]
    assert code == BAD_DATA == 1


def test_an_exception_in_a_check_is_named(dbt_manifest, instance, source_copy, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    warehouse.write_bytes(b"this is not a DuckDB database" * 100)
    run_id = run_part(instance, SOURCE_CHECKS_ONLY, source_copy, warehouse, tmp_path / "pub")
    lines, code = explained(instance, run_id)
    [line, unchanged] = lines
    assert line.startswith("step gx_sources: raised ") and "-> see the full event log for the traceback" in line
    # the refresh moved the garbage aside (recovery.py), so the check finds no warehouse to open
    assert "Cannot open database" in line and str(warehouse) in line, line
    assert unchanged == UNCHANGED and code == ENVIRONMENT == 2


def test_a_check_on_a_warehouse_locked_by_another_process_is_a_concurrency_problem(dbt_manifest, instance,
                                                                                  source_copy, tmp_path):
    """The case of two refreshes without the run lock: a GX check cannot open the warehouse that
    another process is writing (the check step raises; it used to be reported as nothing at all)."""
    warehouse = tmp_path / "wh.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
                               "print('locked', flush=True); time.sleep(300)", str(warehouse)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        run_id = run_part(instance, SOURCE_CHECKS_ONLY, source_copy, warehouse, tmp_path / "pub")
        assert holder.poll() is None  # the lock was held throughout
    finally:
        holder.kill()
        holder.wait(timeout=30)
    lines, code = explained(instance, run_id)
    [line, unchanged] = lines
    assert line.startswith("step gx_sources: the warehouse is locked by another process (")
    assert f'Could not set lock on file "{warehouse}"' in line and f"(PID {holder.pid})" in line
    assert line.endswith("-> wait for the other refresh to finish, then run again")
    assert unchanged == UNCHANGED and code == CONCURRENCY == 3


class RefreshLocked(RuntimeError):
    """The error of dagster_project.guard when another refresh holds the run lock (matched by name)."""


def test_a_refused_refresh_names_the_one_running(instance):
    message = "refused: another refresh is running on /data/warehouse (run 1234abcd, started 03:12:05, PID 4242)"

    @dg.op
    def take_the_refresh_lock():
        raise RefreshLocked(message)

    @dg.job
    def refresh():
        take_the_refresh_lock()

    result = refresh.execute_in_process(instance=instance, raise_on_error=False)
    lines, code = explained(instance, result.run_id)
    assert lines == [f"step take_the_refresh_lock: {message} -> wait for the other refresh to finish, then run again",
                     UNCHANGED]
    assert code == CONCURRENCY


def test_a_missing_source_file_is_named_with_its_path(dbt_manifest, instance, source_copy, tmp_path):
    (source_copy / "hr" / "hubs.csv").unlink()
    run_id = run_part(instance, INGEST, source_copy, tmp_path / "wh.duckdb", tmp_path / "pub")
    lines, code = explained(instance, run_id)
    assert lines[0] == (f"step raw__hubs: source file missing: file {source_copy / 'hr' / 'hubs.csv'}: source file "
                        "is missing (.csv or .csv.gz expected) -> put the export there (or point KPI_SOURCE_DIR at it)"
                        ", then run again")
    assert lines[1:] == [UNCHANGED] and code == ENVIRONMENT


def test_a_source_path_that_is_not_a_file_is_unreadable(dbt_manifest, instance, source_copy, tmp_path):
    hubs = source_copy / "hr" / "hubs.csv"
    hubs.unlink()
    hubs.mkdir()
    run_id = run_part(instance, INGEST, source_copy, tmp_path / "wh.duckdb", tmp_path / "pub")
    lines, code = explained(instance, run_id)
    assert lines[0].startswith(f"step raw__hubs: source file unreadable: file {hubs}: ")
    assert lines[0].endswith("-> replace it with the exported CSV file, then run again")
    assert code == ENVIRONMENT


def test_a_corrupt_gzip_is_bad_data(dbt_manifest, instance, source_copy, tmp_path):
    hubs = source_copy / "hr" / "hubs.csv"
    compressed = gzip.compress(hubs.read_bytes())
    hubs.unlink()
    # a truncated download: the first half of the gzip stream
    (source_copy / "hr" / "hubs.csv.gz").write_bytes(compressed[: len(compressed) // 2])
    run_id = run_part(instance, INGEST, source_copy, tmp_path / "wh.duckdb", tmp_path / "pub")
    lines, code = explained(instance, run_id)
    assert lines[0].startswith("step raw__hubs: its source file is not valid gzip (EOFError: Compressed file ended ")
    assert lines[0].endswith("-> export the file again, then run again")
    assert lines[1:] == [UNCHANGED] and code == BAD_DATA


@pytest.fixture
def built_warehouse(demo_published, tmp_path) -> Path:
    """A copy of the warehouse of the session's good run: marts built and validated, ready to publish."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_published / "warehouse.duckdb", copy)
    return copy


@pytest.fixture
def mount_point(tmp_path):
    """A directory to mount a file system on; unmounted after the test whatever happens."""
    point = tmp_path / "mnt"
    point.mkdir()
    yield point
    subprocess.run(["umount", str(point)], check=False, capture_output=True)


def test_a_full_disk_is_named(demo_dir, instance, built_warehouse, mount_point):
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], check=True)
    run_id = run_part(instance, PUBLISH, demo_dir, built_warehouse, mount_point / "published")
    lines, code = explained(instance, run_id)
    assert lines[0].startswith("step kpi_publication: the disk is full (") and "No space left on device" in lines[0]
    assert lines[0].endswith("-> free space on the device of KPI_WAREHOUSE or KPI_PUBLISH_DIR, then run again")
    assert lines[1:] == [UNCHANGED] and code == ENVIRONMENT


def test_a_read_only_publish_directory_is_named(demo_dir, instance, built_warehouse, mount_point):
    # root ignores file modes: a read-only bind mount is what refuses root's writes
    subprocess.run(["mount", "--bind", str(mount_point), str(mount_point)], check=True)
    subprocess.run(["mount", "-o", "remount,ro,bind", str(mount_point)], check=True)
    run_id = run_part(instance, PUBLISH, demo_dir, built_warehouse, mount_point / "published")
    lines, code = explained(instance, run_id)
    # the refresh lock beside the publish directory cannot be made: the run stops before any step
    assert lines[0].startswith("the run failed before its steps: cannot write: cannot create the refresh lock ")
    assert "Read-only file system" in lines[0] and str(mount_point) in lines[0]
    assert lines[1:] == [UNCHANGED] and code == ENVIRONMENT
