"""Crash-only recovery: what a killed refresh left, cleared by the next one at its start.

Run under the refresh lock (:mod:`dagster_project.guard`), so nothing else writes meanwhile.
Whatever was killed and wherever, the same steps, each reported in one line:

* a dead holder of the lock (its record is still in the lock file): every process still
  carrying its ``KPI_REFRESH_RUN_ID`` (dbt, a validation helper) is killed; its run, still
  STARTED in this Dagster instance, is marked failed, and any concurrency slot it holds freed;
* a run of this Dagster instance still recorded as running whose process is gone (one killed
  before it took the lock, so no lock file names it; its PID is the one Dagster records when
  the run starts executing) is marked failed too: left STARTED, it would hold the run queue;
* incomplete releases (``*.partial``) in the publish directory are deleted;
* an unreadable warehouse is moved aside to be rebuilt (:mod:`dagster_project.warehouse`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from dagster import DagsterEventType, DagsterRunStatus, RunsFilter

from dagster_project.guard import RUN_ID_VARIABLE, HeldLock, Holder
from dagster_project.publish import remove_incomplete_releases
from dagster_project.warehouse import set_aside_if_unreadable

PROC = Path("/proc")
KILL_WAIT_SECONDS = 10.0


def processes_of_run(run_id: str) -> Iterator[int]:
    """PIDs of this machine's processes (not this one) whose environment names ``run_id``."""
    marker = f"{RUN_ID_VARIABLE}={run_id}".encode()
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if marker in environment:
            yield int(entry.name)


def kill_leftovers(run_id: str) -> list[int]:
    """SIGKILL every process left by run ``run_id`` and wait until they are gone."""
    pids = list(processes_of_run(run_id))
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while time.monotonic() < deadline and any((PROC / str(pid)).exists() and not _is_zombie(pid) for pid in pids):
        time.sleep(0.05)
    return pids


def _is_zombie(pid: int) -> bool:
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def close_dead_run(instance, holder: Holder) -> str:
    """Mark the dead run failed in ``instance`` (if it is there and unfinished) and free its slots."""
    run = instance.get_run_by_id(holder.run_id) if instance is not None else None
    if run is None:
        return "not in this Dagster instance"
    done = []
    if not run.is_finished:
        instance.report_run_failed(run, f"the process of this run (PID {holder.pid}) died; "
                                        "marked failed by the next refresh")
        done.append("marked failed")
    if instance.event_log_storage.supports_global_concurrency_limits:
        instance.event_log_storage.free_concurrency_slots_for_run(holder.run_id)
        done.append("its pool slots freed")
    return ", ".join(done) or "already finished"


def _is_alive(pid: int) -> bool:
    return (PROC / str(pid)).exists() and not _is_zombie(pid)


def run_process(instance, run_id: str) -> int | None:
    """The PID that executes run ``run_id``, from the engine event Dagster writes when it starts."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ENGINE_EVENT, limit=5).records
    for record in records:
        pid = record.event_log_entry.dagster_event.event_specific_data.metadata.get("pid")
        if pid is not None:
            return int(pid.value)
    return None


def orphan_runs(instance, current_run_id: str) -> list[Holder]:
    """Runs of ``instance`` recorded as running whose executing process no longer exists."""
    running = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED,
                                                     DagsterRunStatus.CANCELING]), limit=50)
    orphans = []
    for run in running:
        pid = run_process(instance, run.run_id) if run.run_id != current_run_id else None
        if pid is not None and not _is_alive(pid):
            stats = instance.get_run_stats(run.run_id)
            started = dt.datetime.fromtimestamp(stats.start_time or 0, dt.UTC).replace(microsecond=0)
            orphans.append(Holder(run.run_id, started.isoformat().replace("+00:00", "Z"), pid, ""))
    return orphans


def recover(lock: HeldLock, instance, warehouse: Path, publish_dir: Path) -> list[str]:
    """Clear what dead refreshes left; one line per thing found (nothing found: no line)."""
    lines = []
    for holder in lock.dead:
        killed = kill_leftovers(holder.run_id)
        leftovers = f"killed {len(killed)} leftover process(es) {killed}" if killed else "no process left"
        lines.append(f"recovered: {holder.describe()} was killed; {leftovers}; "
                     f"its run: {close_dead_run(instance, holder)}")
    dead = {h.run_id for h in lock.dead}
    for orphan in orphan_runs(instance, lock.holder.run_id) if instance is not None else []:
        if orphan.run_id not in dead:
            lines.append(f"recovered: {orphan.describe()} died before it took the refresh lock; "
                         f"its run: {close_dead_run(instance, orphan)}")
    removed = remove_incomplete_releases(publish_dir)
    if removed:
        lines.append(f"recovered: removed {len(removed)} incomplete release(s): {', '.join(p.name for p in removed)}")
    moved = set_aside_if_unreadable(warehouse)
    if moved:
        lines.append(f"recovered: {moved}")
    return lines
