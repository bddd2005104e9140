"""Build the dbt manifest that the dbt assets are defined from (``dbt parse``).

``DbtProject.prepare_if_dev()`` only acts under ``dagster dev``; ``make run``, ``make ui``
and the tests call :func:`prepare_dbt_manifest` instead. Parsing takes about 5 s, so it is
skipped while the manifest is newer than every file of the dbt project and the lock file.
"""

from __future__ import annotations

import sys

from dagster_project.config import DBT_PROJECT_DIR, PROJECT_ROOT
from dagster_project.dbt_runner import DBT_TARGET_DIR, MANIFEST_PATH, run_dbt

GENERATED = (DBT_TARGET_DIR, DBT_PROJECT_DIR / "logs")


def manifest_is_current() -> bool:
    if not MANIFEST_PATH.exists():
        return False
    sources = [p for p in DBT_PROJECT_DIR.rglob("*")
               if p.is_file() and not any(p.is_relative_to(g) for g in GENERATED)]
    sources.append(PROJECT_ROOT / "requirements.lock")
    newest = max(p.stat().st_mtime for p in sources if p.exists())
    return MANIFEST_PATH.stat().st_mtime > newest


def prepare_dbt_manifest(force: bool = False) -> None:
    if not force and manifest_is_current():
        return
    result = run_dbt(["parse", "--quiet"], check=False)
    if result.returncode != 0 or not MANIFEST_PATH.exists():
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"dbt parse failed (exit {result.returncode})")


if __name__ == "__main__":
    prepare_dbt_manifest(force="--force" in sys.argv)
