"""Real refreshes in their own processes, for the concurrency and recovery tests: ``make run``'s
entry point started in a new process group, stages watched in the run's Dagster instance (a
marker, never a blind sleep), the publication checksummed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import yaml

from dagster_project.config import PROJECT_ROOT
from dagster_project.guard import RUN_ID_VARIABLE, lock_paths, read_holder
from dagster_project.publish import PARTIAL, releases_dir

RUN_TIMEOUT = 600


@dataclass(frozen=True)
class RunDirs:
    """One refresh's directories: sources, warehouse, publication, Dagster home."""

    root: Path
    sources: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def publish_dir(self) -> Path:
        return self.root / "published"

    @property
    def home(self) -> Path:
        return self.root / "dagster_home"

    @classmethod
    def make(cls, root: Path, sources: Path, concurrency: dict | None = None) -> RunDirs:
        """The directories, with a Dagster home holding the project's dagster.yaml (its
        ``concurrency`` settings updated with ``concurrency``)."""
        dirs = cls(root, sources)
        dirs.home.mkdir(parents=True)
        settings = yaml.safe_load((PROJECT_ROOT / "dagster_home" / "dagster.yaml").read_text())
        settings["concurrency"].update(concurrency or {})
        (dirs.home / "dagster.yaml").write_text(yaml.safe_dump(settings))
        return dirs

    def env(self, sources: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != RUN_ID_VARIABLE}
        return {**env, "DAGSTER_HOME": str(self.home), "KPI_SOURCE_DIR": str(sources or self.sources),
                "KPI_WAREHOUSE": str(self.warehouse), "KPI_PUBLISH_DIR": str(self.publish_dir),
                "PYTHONPATH": str(PROJECT_ROOT)}

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))

    def holder(self):
        """Who holds the refresh lock now, as its lock file records it (None when free or empty)."""
        return read_holder(lock_paths(self.warehouse, self.publish_dir)[0])


def prepare(dirs: RunDirs) -> None:
    """``dbt parse`` for this warehouse once, so that concurrent runs do not parse side by side."""
    subprocess.run([sys.executable, "-m", "dagster_project.prepare"], env=dirs.env(), cwd=PROJECT_ROOT,
                   check=True, capture_output=True, timeout=300)


def start(dirs: RunDirs, sources: Path | None = None) -> subprocess.Popen:
    """``make run``'s entry point, in a process group of its own (killed as a whole by the tests)."""
    return subprocess.Popen([sys.executable, "-m", "dagster_project.run"], env=dirs.env(sources),
                            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(process: subprocess.Popen, timeout: float = RUN_TIMEOUT) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def wait_until(condition: Callable[[], object], timeout: float, what: str, poll: float = 0.1):
    """The first truthy value of ``condition()``, polled until ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def latest_run(instance: dg.DagsterInstance, after: set[str] = frozenset()):
    runs = [r for r in instance.get_runs(limit=5) if r.run_id not in after]
    return runs[0] if runs else None


def started_steps(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_START).records
    return [r.event_log_entry.step_key for r in records]


def warnings_of(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    return [e.user_message for e in instance.all_logs(run_id) if e.level >= 30 and e.user_message]


def partial_releases(publish_dir: Path) -> list[Path]:
    folder = releases_dir(publish_dir)
    return sorted(folder.glob(f"*{PARTIAL}")) if folder.is_dir() else []


def checksum(publish_dir: Path) -> dict[str, str]:
    """The SHA-256 of every file of the current release, and where the link points."""
    release = publish_dir.resolve()
    files = {str(p.relative_to(release)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(release.rglob("*")) if p.is_file()}
    return {"->": os.readlink(publish_dir), **files}


def copy_publication(source_root: Path, dirs: RunDirs) -> None:
    """A good publication (link and releases) copied into ``dirs``: the one a refresh starts from."""
    source = source_root / "published"
    shutil.copytree(releases_dir(source), releases_dir(dirs.publish_dir), symlinks=True)
    dirs.publish_dir.symlink_to(os.readlink(source).replace(source.name + ".releases",
                                                            dirs.publish_dir.name + ".releases"))
