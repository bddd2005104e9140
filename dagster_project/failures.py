"""Why a run failed, one line per failed step (placeholder: replaced by the console's module).

:func:`explain_run` is the interface the failure notification relies on.
"""

from __future__ import annotations

import dagster as dg


def explain_run(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """One line per failed step of run ``run_id``: the step and its error message."""
    records = instance.get_records_for_run(run_id=run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    lines = []
    for record in records:
        event = record.event_log_entry.dagster_event
        error = event.step_failure_data.error if event and event.step_failure_data else None
        message = error.message.strip().splitlines()[0] if error and error.message.strip() else "failed"
        lines.append(f"{event.step_key if event else '?'}: {message}")
    return lines
