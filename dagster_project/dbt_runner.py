"""The one way the project calls dbt: project paths, the environment and the ``--vars``.

Every dbt invocation (the dbt assets, ``make run``'s manifest preparation, the tests' unit
tests) goes through here, so dbt always sees the warehouse and parameters of :class:`Settings`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_project.config import DBT_PROJECT_DIR, PROJECT_ROOT, Settings

DBT_TARGET_DIR = DBT_PROJECT_DIR / "target"
MANIFEST_PATH = DBT_TARGET_DIR / "manifest.json"
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")  # the dbt of this virtual environment
# on Spark: the same dbt, able to run the Python model in its local SparkSession
DBT_SPARK_EXECUTABLE = str(PROJECT_ROOT / "bin" / "dbt-spark-session")
# dbt's own log file at info level: its debug level (every SQL statement, 4 MB per build) repeats
# the compiled SQL kept in the target folder, and costs 0.3-0.6 s per build.
LOG_FILE_ARGS = ["--log-level-file", "info"]
TARGETS_KEPT = 5


def dbt_executable(settings: Settings) -> str:
    """The dbt command for the settings' engine."""
    return DBT_SPARK_EXECUTABLE if settings.engine == "spark" else DBT_EXECUTABLE


def vars_argument(settings: Settings) -> list[str]:
    return ["--vars", json.dumps(settings.dbt_vars(), sort_keys=True)]


def export_environment(settings: Settings) -> None:
    """Expose the warehouse path to dbt's profiles.yml (read by every dbt subprocess)."""
    os.environ.update(settings.dbt_env())


def run_dbt(args: list[str], settings: Settings | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run the dbt CLI of this virtual environment on the project, with the settings' vars."""
    settings = settings or Settings.from_env()
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    command = [dbt_executable(settings), *args, "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR), *vars_argument(settings)]
    return subprocess.run(command, env={**os.environ, **settings.dbt_env()}, check=check,
                          capture_output=True, text=True)


def prune_invocation_targets(prefix: str, keep: int = TARGETS_KEPT) -> list[Path]:
    """Delete all but the ``keep`` newest ``target/<prefix>-*`` folders; the deleted ones.

    dagster-dbt gives each dbt command a target folder of its own (compiled SQL, artifacts,
    log: a few MB); without pruning a nightly schedule piles up gigabytes a year.
    """
    folders = sorted((p for p in DBT_TARGET_DIR.glob(f"{prefix}-*") if p.is_dir()),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return folders[keep:]
