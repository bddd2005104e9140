"""Crash-only recovery and what publishing keeps: a refresh killed at any stage is cleared up by the
next one with no manual step; releases, a full disk, a read-only publish directory, an unreadable
warehouse and paths full of quotes. Every case has its own directories and starts from the one
good publication of the session (``demo_published``)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from dagster_project.config import PROJECT_ROOT, Settings
from dagster_project.definitions import build_defs
from dagster_project.defs.publish_asset import PUBLICATION, REPORT
from dagster_project.guard import (
    RUN_ID_VARIABLE,
    Holder,
    RefreshLocked,
    guard_failure,
    lock_paths,
    read_holder,
    refresh_lock,
)
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import PublishError, publish, read_manifest, releases_dir
from dagster_project.recovery import processes_of_run, recover
from dagster_project.warehouse import UNREADABLE_SUFFIX, set_aside_if_unreadable
from tests.refresh_runs import (
    RunDirs,
    checksum,
    copy_publication,
    finish,
    latest_run,
    partial_releases,
    prepare,
    start,
    started_steps,
    wait_until,
    warnings_of,
)

TABLES = tuple(t.name for t in PUBLISHED_TABLES)


def assert_whole(publish_dir: Path) -> str:
    """The publication is one complete release (each table's rows in kpi.duckdb and Parquet as the
    manifest says); its run id."""
    manifest = read_manifest(publish_dir)
    assert sorted(manifest["tables"]) == sorted(TABLES)
    with duckdb.connect(str(publish_dir / "kpi.duckdb"), read_only=True) as kpi:
        for table, info in manifest["tables"].items():
            assert kpi.execute(f"select count(*) from {table}").fetchall()[0][0] == info["row_count"]
            assert pq.read_metadata(publish_dir / info["parquet"]).num_rows == info["row_count"]
    return manifest["run_id"]


# --- a refresh killed at each stage, then the next one -----------------------------------------

def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _dbt_running(dirs: RunDirs, run_id: str) -> bool:
    return any("dbt" in _command(pid) for pid in processes_of_run(run_id))


# (stage, the marker that the run is in it, kill the whole process group or the main process only)
STAGES = [
    ("ingest", lambda dirs, run, steps: any(s.startswith("raw") for s in steps), True),
    ("source validation", lambda dirs, run, steps: "gx_sources" in steps, True),
    ("dbt", lambda dirs, run, steps: "kpi_dbt_models" in steps and _dbt_running(dirs, run), False),
    ("KPI validation", lambda dirs, run, steps: "gx_marts" in steps, True),
    ("publish", lambda dirs, run, steps: "kpi_publication" in steps and partial_releases(dirs.publish_dir), True),
]

def kill_at(dirs: RunDirs, instance, earlier: set[str], stage: str, reached, whole_group: bool) -> str:
    """Start a refresh, wait until it is in ``stage``, SIGKILL its process group (or its main
    process only); its run id."""
    process = start(dirs)
    run = wait_until(lambda: latest_run(instance, earlier), 300, f"the run ({stage})")

    def in_stage() -> bool:
        return process.poll() is not None or reached(dirs, run.run_id, started_steps(instance, run.run_id))

    wait_until(in_stage, 600, f"the run to reach {stage}", poll=0.05)
    assert process.poll() is None, f"the run ended before {stage}: {finish(process)[2][-3000:]}"
    os.killpg(process.pid, signal.SIGKILL) if whole_group else process.kill()
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()
    return run.run_id


# An instance whose pool "warehouse" has one slot (as before this guard): a killed run keeps it.
POOL_LIMITED = {"pools": {"default_limit": 1}}


def test_a_refresh_killed_at_each_stage_is_cleared_by_the_next_with_no_manual_step(dbt_manifest, demo_published,
                                                                                  demo_dir, tmp_path):
    """Five refreshes, each killed at the next stage (the dbt one by its main PID only, leaving dbt
    running), the first on a 0-byte warehouse; each run clears what the previous one left and
    says so; the publication is the good one, whole, until the sixth run publishes."""
    dirs = RunDirs.make(tmp_path / "run", demo_dir, POOL_LIMITED)
    copy_publication(demo_published, dirs)
    dirs.warehouse.write_bytes(b"")
    prepare(dirs)
    good = checksum(dirs.publish_dir)
    killed: list[tuple[str, str, bool]] = []
    with dirs.instance() as instance:
        for stage, reached, whole_group in STAGES:
            run_id = kill_at(dirs, instance, {r for _, r, _ in killed}, stage, reached, whole_group)
            assert checksum(dirs.publish_dir) == good, f"publication changed by the kill at {stage}"
            killed.append((stage, run_id, whole_group))

        code, out, err = finish(start(dirs))
        assert code == 0, (out + err)[-3000:]
        final = latest_run(instance)
        lines = {run_id: warnings_of(instance, run_id) for _, run_id, _ in killed[1:]}
        lines[final.run_id] = warnings_of(instance, final.run_id)
        statuses = {run_id: instance.get_run_by_id(run_id).status for _, run_id, _ in killed}
        slots = instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots

    assert all(status == dg.DagsterRunStatus.FAILURE for status in statuses.values()), statuses
    assert slots == []  # no slot held by a dead run
    first_run = killed[0][1]
    with dg.DagsterInstance.from_config(str(dirs.home)) as instance:
        assert any("recovered: the warehouse" in line and "not a valid DuckDB database file" in line
                   for line in warnings_of(instance, first_run))
    followers = [run_id for _, run_id, _ in killed[1:]] + [final.run_id]
    for (stage, dead, _), follower in zip(killed, followers, strict=True):
        [line] = [x for x in lines[follower] if f"run {dead} " in x]
        assert line.startswith(f"recovered: run {dead} started ") and "was killed" in line, line
        assert "its run: marked failed, its pool slots freed" in line, line
        assert not list(processes_of_run(dead)), f"a process of the run killed at {stage} is still alive"
    assert any("removed 1 incomplete release(s)" in x for x in lines[final.run_id])
    assert assert_whole(dirs.publish_dir) == final.run_id
    releases = sorted(p.name for p in releases_dir(dirs.publish_dir).iterdir())
    assert len(releases) == 2 and good["->"].split("/")[-1] in releases  # the new one and the one it replaced
    assert partial_releases(dirs.publish_dir) == []


LEFTOVER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])             # holds the warehouse read-write, as dbt does
    con.execute("create or replace table t as select 1 as x")
    print("ready", flush=True)
    time.sleep(600)
""")


@pytest.fixture
def spawn():
    """Start a Python script in a process of its own (the project importable); killed after the test."""
    processes = []

    def start_script(script: str, *args: str, **env: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env})
        processes.append(process)
        return process

    yield start_script
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()


def test_a_leftover_of_a_dead_run_is_killed_and_its_run_closed(tmp_path, spawn):
    """The main process of a run died; a child (here a DuckDB writer standing in for dbt, with the
    run's ``KPI_REFRESH_RUN_ID``) still holds the warehouse. The next holder of the lock kills it,
    marks the run failed and frees its slot, and can open the warehouse."""
    warehouse, publish_dir = tmp_path / "warehouse.duckdb", tmp_path / "published"
    dead = Holder(str(uuid.uuid4()), "2026-01-01T00:00:00Z", 2**22 + 1, Holder.me("x").host)
    for path in lock_paths(warehouse, publish_dir):
        path.write_text(json.dumps(dead.__dict__))
    child = spawn(LEFTOVER, str(warehouse), **{RUN_ID_VARIABLE: dead.run_id})
    with dg.instance_for_test() as instance:
        assert child.stdout.readline().strip() == "ready"
        run = instance.create_run_for_job(dg.GraphDefinition("refresh_all").to_job(), run_id=dead.run_id,
                                          status=dg.DagsterRunStatus.STARTED)
        with refresh_lock(warehouse, publish_dir, "next-run") as lock:
            assert lock.dead == (dead,)
            started = time.monotonic()
            [line] = recover(lock, instance, warehouse, publish_dir)
            assert time.monotonic() - started < 10
            assert child.wait(timeout=5) == -signal.SIGKILL
            assert line == (f"recovered: run {dead.run_id} started 2026-01-01T00:00:00Z, PID {dead.pid} was "
                            f"killed; killed 1 leftover process(es) [{child.pid}]; its run: marked failed, "
                            "its pool slots freed")
            assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
            duckdb.connect(str(warehouse)).close()  # the warehouse is free again
            assert read_holder(lock_paths(warehouse, publish_dir)[0]).run_id == "next-run"
    assert all(read_holder(path) is None for path in lock_paths(warehouse, publish_dir))  # emptied at the end


def test_a_run_killed_before_it_took_the_lock_is_marked_failed_by_the_next(tmp_path):
    """No lock file names it, but Dagster recorded the PID executing it: gone, the run is closed
    (left STARTED, it would hold the run queue for ever)."""
    from dagster._core.events import EngineEventData

    warehouse, publish_dir = tmp_path / "warehouse.duckdb", tmp_path / "published"
    with dg.instance_for_test() as instance:
        job = dg.GraphDefinition("refresh_all").to_job()
        orphan = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED)
        alive = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED)
        instance.report_engine_event("Executing steps in process", orphan, EngineEventData.in_process(2**22 + 7))
        instance.report_engine_event("Executing steps in process", alive, EngineEventData.in_process(os.getpid()))
        with refresh_lock(warehouse, publish_dir, str(uuid.uuid4())) as lock:
            [line] = recover(lock, instance, warehouse, publish_dir)
        assert line.startswith(f"recovered: run {orphan.run_id} started ") and line.endswith(
            f", PID {2**22 + 7} died before it took the refresh lock; its run: marked failed, its pool slots freed")
        assert instance.get_run_by_id(orphan.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED  # its process lives


def test_the_dead_runs_sensor_closes_a_run_whose_process_died_and_leaves_live_ones():
    """A run launched by the daemon and killed would hold the one-run queue until the next
    ``make run``: the ``close_dead_runs`` sensor closes it within a minute, without the lock."""
    from dagster._core.events import EngineEventData

    from dagster_project.defs.dead_runs import close_dead_runs

    with dg.instance_for_test() as instance:
        job = dg.GraphDefinition("refresh_all").to_job()
        orphan = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED)
        alive = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED)
        instance.report_engine_event("Executing steps in process", orphan, EngineEventData.in_process(2**22 + 9))
        instance.report_engine_event("Executing steps in process", alive, EngineEventData.in_process(os.getpid()))
        skipped = close_dead_runs(dg.build_sensor_context(instance=instance))
        assert skipped.skip_message.startswith(f"closed run {orphan.run_id} started ")
        assert f"PID {2**22 + 9}: marked failed" in skipped.skip_message
        assert instance.get_run_by_id(orphan.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED
        again = close_dead_runs(dg.build_sensor_context(instance=instance))
        assert again.skip_message == "every running run has a live process"


def test_a_run_killed_while_it_clears_up_leaves_the_dead_to_the_next(tmp_path):
    warehouse, publish_dir = tmp_path / "warehouse.duckdb", tmp_path / "published"
    dead = Holder(str(uuid.uuid4()), "2026-01-01T00:00:00Z", 2**22 + 1, Holder.me("x").host)
    for path in lock_paths(warehouse, publish_dir):
        path.write_text(json.dumps(dead.__dict__))
    with refresh_lock(warehouse, publish_dir, "killed-while-recovering") as lock:
        assert lock.dead == (dead,)
        for fd in lock.fds.values():  # killed here: the kernel drops the lock, the files stay as they are
            os.close(fd)
        lock.fds.clear()
    with refresh_lock(warehouse, publish_dir, "next") as lock:
        assert {h.run_id for h in lock.dead} == {"killed-while-recovering", dead.run_id}
        lock.recovered()
        assert lock.dead == ()
    with refresh_lock(warehouse, publish_dir, "after") as lock:
        assert lock.dead == ()  # a clean end leaves nothing to recover


HOLD_THE_LOCK = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from dagster_project.guard import refresh_lock
    with refresh_lock(Path(sys.argv[1]), Path(sys.argv[2]), "the-running-one"):
        print("held", flush=True)
        time.sleep(600)
""")


def publish_only(warehouse: Path, publish_dir: Path):
    """The publication step alone (the job's own asset and resources) on an existing warehouse."""
    defs = build_defs(Settings.from_env({"KPI_WAREHOUSE": str(warehouse), "KPI_PUBLISH_DIR": str(publish_dir)}))
    job = defs.resolve_job_def("refresh_all").get_subset(asset_selection={PUBLICATION, REPORT})
    return job.execute_in_process(raise_on_error=False)


def step_errors(result) -> list[str]:
    return [e.step_failure_data.error.message.strip() for e in result.all_events if e.is_step_failure]


@pytest.fixture
def good_warehouse(demo_published, tmp_path) -> Path:
    """A copy of the good warehouse (the session's is never written)."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_published / "warehouse.duckdb", target)
    return target


def test_a_run_refused_by_the_lock_changes_nothing(good_warehouse, tmp_path, spawn):
    publish_dir = tmp_path / "published"
    assert publish_only(good_warehouse, publish_dir).success
    before = checksum(publish_dir)
    holder = spawn(HOLD_THE_LOCK, str(good_warehouse), str(publish_dir))
    assert holder.stdout.readline().strip() == "held"
    result = publish_only(good_warehouse, publish_dir)
    assert not result.success
    kind, line = guard_failure(result.all_events)
    assert kind == RefreshLocked.__name__
    assert line.startswith("refused: another refresh is running on ") and "\n" not in line
    assert "(run the-running-one started " in line and f", PID {holder.pid}); this run changed nothing" in line
    assert step_errors(result) == [] and checksum(publish_dir) == before


# --- releases ----------------------------------------------------------------------------------

PUBLISH_SLOWLY = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dagster_project import publish as p
    from dagster_project.output_contract import PUBLISHED_TABLES
    def report(release):
        print("writing", flush=True)
        import time; time.sleep(600)
    p.publish(Path(sys.argv[1]), Path(sys.argv[2]), PUBLISHED_TABLES, {"run_id": "killed"}, "r2-killed",
              complete=report)
""")


def test_a_release_killed_while_written_is_never_kept_nor_linked(good_warehouse, tmp_path, spawn):
    """Kill during publish, then publish twice: the link only ever points at complete releases,
    the incomplete one is deleted, and the live and the replaced complete release are kept."""
    publish_dir = tmp_path / "published"
    publish(good_warehouse, publish_dir, PUBLISHED_TABLES, {"run_id": "good"}, "r1-good")
    writer = spawn(PUBLISH_SLOWLY, str(good_warehouse), str(publish_dir))
    assert writer.stdout.readline().strip() == "writing"
    writer.kill()
    writer.wait()
    releases = releases_dir(publish_dir)
    assert sorted(p.name for p in releases.iterdir()) == ["r1-good", "r2-killed.partial"]
    assert (releases / "r2-killed.partial" / "parquet").is_dir() and assert_whole(publish_dir) == "good"

    publish(good_warehouse, publish_dir, PUBLISHED_TABLES, {"run_id": "next"}, "r3-next")
    assert sorted(p.name for p in releases.iterdir()) == ["r1-good", "r3-next"]
    publish(good_warehouse, publish_dir, PUBLISHED_TABLES, {"run_id": "after"}, "r4-after")
    assert sorted(p.name for p in releases.iterdir()) == ["r3-next", "r4-after"]
    assert assert_whole(publish_dir) == "after"


@pytest.fixture
def small_filesystem(tmp_path):
    """A 24 MiB tmpfs mounted for the test (root), unmounted after."""
    mount = tmp_path / "fs"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_fails_with_its_cause_and_the_next_run_publishes_once_space_is_back(good_warehouse,
                                                                                      small_filesystem):
    publish_dir = small_filesystem / "published"
    assert publish_only(good_warehouse, publish_dir).success
    before = checksum(publish_dir)
    filler = small_filesystem / "filler"
    free = shutil.disk_usage(small_filesystem).free
    filler.write_bytes(b"\0" * (free - 256 * 1024))  # 256 KiB left: the lock records, not a release
    result = publish_only(good_warehouse, publish_dir)
    assert not result.success
    [error] = step_errors(result)
    assert error.startswith("dagster_project.publish.PublishError: cannot write the release "
                            f"{releases_dir(publish_dir)}/"), error
    assert "No space left on device" in error and str(small_filesystem) in error
    assert checksum(publish_dir) == before and partial_releases(publish_dir) == []  # nothing half-written kept

    filler.unlink()
    assert publish_only(good_warehouse, publish_dir).success
    assert checksum(publish_dir) != before and assert_whole(publish_dir)


@pytest.fixture
def read_only(tmp_path):
    """Make a directory read-only with a read-only bind mount; undone after the test."""
    mounted = []

    def make(folder: Path) -> None:
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        mounted.append(folder)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)

    yield make
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_read_only_release_folder_fails_the_publish_step_with_erofs_and_the_path(good_warehouse, tmp_path,
                                                                                   read_only):
    publish_dir = tmp_path / "pub" / "published"
    assert publish_only(good_warehouse, publish_dir).success
    before = checksum(publish_dir)
    read_only(releases_dir(publish_dir))
    result = publish_only(good_warehouse, publish_dir)
    [error] = step_errors(result)
    assert error.startswith("dagster_project.publish.PublishError: cannot write the release ") and "\n" not in error
    assert f"Read-only file system [errno 30]: {releases_dir(publish_dir)}" in error, error
    assert checksum(publish_dir) == before


def test_a_read_only_publish_directory_stops_the_run_before_any_step(good_warehouse, tmp_path, read_only):
    publish_dir = tmp_path / "pub" / "published"
    assert publish_only(good_warehouse, publish_dir).success
    before = checksum(publish_dir)
    read_only(publish_dir.parent)
    result = publish_only(good_warehouse, publish_dir)
    assert not result.success and step_errors(result) == []
    kind, line = guard_failure(result.all_events)
    assert (kind, line) == ("GuardError", f"cannot create the refresh lock {publish_dir}.lock: "
                                          "Read-only file system [errno 30]")
    assert checksum(publish_dir) == before


def test_an_unreadable_warehouse_fails_publish_with_duckdbs_reason(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(b"not a database")
    with pytest.raises(PublishError) as failure:
        publish(warehouse, tmp_path / "published", PUBLISHED_TABLES, {}, "r1")
    assert str(failure.value) == (f"cannot read the warehouse {warehouse}: IO Error: The file \"{warehouse}\" "
                                  "exists, but it is not a valid DuckDB database file!")
    assert partial_releases(tmp_path / "published") == []


# --- the warehouse is disposable ---------------------------------------------------------------

def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


WAREHOUSE_DAMAGE = {
    "empty": (lambda p: p.write_bytes(b""), "not a valid DuckDB database file"),
    "truncated": (_truncate, "truncated: "),
    "garbage": (lambda p: p.write_bytes(os.urandom(64 * 1024)), "not a valid DuckDB database file"),
}


@pytest.mark.parametrize("damage", sorted(WAREHOUSE_DAMAGE))
def test_an_unreadable_warehouse_is_moved_aside_at_once(good_warehouse, damage):
    spoil, reason = WAREHOUSE_DAMAGE[damage]
    spoil(good_warehouse)
    started = time.monotonic()
    line = set_aside_if_unreadable(good_warehouse)
    assert time.monotonic() - started < 5  # one attempt, no retry loop
    assert line.startswith(f"the warehouse {good_warehouse} was unreadable (") and reason in line, line
    assert line.endswith(f"moved to warehouse.duckdb{UNREADABLE_SUFFIX}, rebuilt from the sources")
    assert not good_warehouse.exists() and good_warehouse.with_name(f"warehouse.duckdb{UNREADABLE_SUFFIX}").exists()


def test_a_good_or_missing_warehouse_is_left_alone(good_warehouse, tmp_path):
    assert set_aside_if_unreadable(good_warehouse) is None and good_warehouse.exists()
    assert set_aside_if_unreadable(tmp_path / "missing.duckdb") is None


def test_a_warehouse_open_in_another_process_is_not_moved_aside(good_warehouse, spawn):
    """An analyst's DuckDB session on the warehouse is no damage: the file stays where it is (the
    step that needs it then fails with DuckDB's lock message, a concurrency problem)."""
    holder = spawn("import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
                   "time.sleep(300)", str(good_warehouse))
    assert holder.stdout.readline().strip() == "ready"
    assert set_aside_if_unreadable(good_warehouse) is None
    assert good_warehouse.exists() and not good_warehouse.with_name(good_warehouse.name + UNREADABLE_SUFFIX).exists()


# --- paths full of quotes ----------------------------------------------------------------------

def test_a_path_with_quotes_semicolons_spaces_and_non_ascii_publishes(good_warehouse, tmp_path):
    root = tmp_path / "x" / "o'brien \"q\"; ü"
    (root / "wh'; drop").mkdir(parents=True)
    warehouse = root / "wh'; drop" / "warehouse.duckdb"
    shutil.copy(good_warehouse, warehouse)
    publish_dir = root / "pub"
    result = publish_only(warehouse, publish_dir)
    assert result.success, step_errors(result)
    assert assert_whole(publish_dir) == result.run_id
    assert (publish_dir / "report" / "index.html").is_file()
    assert read_holder(lock_paths(warehouse, publish_dir)[0]) is None
