"""Build the dbt manifest that the dbt assets are defined from (``dbt parse``).

``DbtProject.prepare_if_dev()`` only acts under ``dagster dev``; ``make run``, ``make ui``
and the tests call :func:`prepare_dbt_manifest` instead.
"""

from __future__ import annotations


def prepare_dbt_manifest() -> None:
    """No dbt project is wired yet: nothing to prepare."""


if __name__ == "__main__":
    prepare_dbt_manifest()
