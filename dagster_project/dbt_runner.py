"""The one way the project calls dbt: project paths, the environment and the ``--vars``.

Every dbt invocation (the dbt assets, ``make run``'s manifest preparation, the tests' unit
tests) goes through here, so dbt always sees the warehouse and parameters of :class:`Settings`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dagster_project.config import DBT_PROJECT_DIR, Settings

DBT_TARGET_DIR = DBT_PROJECT_DIR / "target"
MANIFEST_PATH = DBT_TARGET_DIR / "manifest.json"
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")  # the dbt of this virtual environment


def vars_argument(settings: Settings) -> list[str]:
    return ["--vars", json.dumps(settings.dbt_vars(), sort_keys=True)]


def export_environment(settings: Settings) -> None:
    """Expose the warehouse path to dbt's profiles.yml (read by every dbt subprocess)."""
    os.environ.update(settings.dbt_env())


def run_dbt(args: list[str], settings: Settings | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run the dbt CLI of this virtual environment on the project, with the settings' vars."""
    settings = settings or Settings.from_env()
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    command = [DBT_EXECUTABLE, *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
               *vars_argument(settings)]
    return subprocess.run(command, env={**os.environ, **settings.dbt_env()}, check=check,
                          capture_output=True, text=True)
