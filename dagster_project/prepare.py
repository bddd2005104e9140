"""Build the dbt manifest that the dbt assets are defined from (``dbt parse``).

``DbtProject.prepare_if_dev()`` only acts under ``dagster dev``; ``make run``, ``make ui``
and the tests call :func:`prepare_dbt_manifest` instead.
"""

from __future__ import annotations

import sys

from dagster_project.dbt_runner import MANIFEST_PATH, run_dbt


def prepare_dbt_manifest() -> None:
    result = run_dbt(["parse", "--quiet"], check=False)
    if result.returncode != 0 or not MANIFEST_PATH.exists():
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"dbt parse failed (exit {result.returncode})")


if __name__ == "__main__":
    prepare_dbt_manifest()
