"""``make run``: refresh everything once, headless, recorded in the project's Dagster home.

The run is executed in this process (no per-step process start-up) against the instance in
``$DAGSTER_HOME``, so it shows in the Dagster UI like any other run. Exits non-zero, with
what failed, when the run fails.
"""

from __future__ import annotations

import os
import sys
import time

from dagster_project.config import PROJECT_ROOT

JOB_NAME = "refresh_all"


def failure_report(result) -> list[str]:
    """One line per failed step: the step and the error it raised."""
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "failed"
            lines.append(f"  {event.step_key}: {message}")
    return lines


def main() -> int:
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / "dagster_home"))
    import dagster as dg

    from dagster_project.prepare import prepare_dbt_manifest

    started = time.perf_counter()
    prepare_dbt_manifest()
    from dagster_project.definitions import defs

    job = defs.resolve_job_def(JOB_NAME)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    elapsed = time.perf_counter() - started
    if result.success:
        print(f"run {result.run_id} succeeded in {elapsed:.1f} s")
        return 0
    print(f"run {result.run_id} FAILED after {elapsed:.1f} s:", file=sys.stderr)
    print("\n".join(failure_report(result)), file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
