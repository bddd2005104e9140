"""``make run``: refresh everything once, headless, recorded in the project's Dagster home.

The run is executed in this process (no per-step process start-up) against the instance in
``$DAGSTER_HOME``, so it shows in the Dagster UI like any other run. Exits non-zero, with
what failed, when the run fails.
"""

from __future__ import annotations

import os
import sys
import time

from dagster_project.config import PROJECT_ROOT, Settings
from dagster_project.report import REPORT_DIR

JOB_NAME = "refresh_all"


def failure_report(result) -> list[str]:
    """What failed: each failed check with its failed rules, then each failed step's error."""
    lines = []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        severity = getattr(evaluation.severity, "value", evaluation.severity)
        lines.append(f"  {evaluation.asset_key.to_user_string()} [{evaluation.check_name}, {severity}]")
        report = evaluation.metadata.get("failed_expectations")
        for row in (report.value.splitlines()[2:] if report else []):
            lines.append("      " + row.strip("| "))
    for event in result.all_events:
        if event.is_step_failure and not event.step_key.startswith("gx_"):
            error = event.step_failure_data.error
            message = error.message.strip() if error else "failed"
            lines.append(f"  step {event.step_key}: {message}")
    return lines


def refresh(instance):
    """Prepare the dbt manifest and execute the whole job in this process."""
    from dagster_project.definitions import build_defs
    from dagster_project.prepare import prepare_dbt_manifest

    prepare_dbt_manifest()
    job = build_defs(Settings.from_env()).resolve_job_def(JOB_NAME)
    return job.execute_in_process(instance=instance, raise_on_error=False)


def main() -> int:
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / "dagster_home"))
    started = time.perf_counter()
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        result = refresh(instance)
    elapsed = time.perf_counter() - started
    if result.success:
        print(f"run {result.run_id} succeeded in {elapsed:.1f} s")
        print(f"report: {Settings.from_env().publish_dir / REPORT_DIR / 'index.html'}")
        return 0
    published = any(e.event_type_value == "ASSET_MATERIALIZATION"
                    and e.asset_key.path == ["published", "kpi_publication"] for e in result.all_events)
    outcome = "the publication was swapped in before the failure" if published else "nothing was published"
    print(f"run {result.run_id} FAILED after {elapsed:.1f} s; {outcome}:", file=sys.stderr)
    print("\n".join(failure_report(result)), file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
