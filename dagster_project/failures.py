"""Why a run failed, one line per failed step and per failed check, with the cause and what to do.

Everything is read from the run's events in the Dagster instance (not from an in-process result),
so any process can explain any run: ``make run`` at its end, the run-failure sensor for a run
launched elsewhere. :func:`exit_code` sorts the causes into the exit codes of ``make run``:

- ``1`` bad data: a blocking rule failed (GX critical rule, dbt test) or a source file is malformed;
- ``2`` environment: a source file missing or unreadable, a full disk, a publish directory that
  cannot be written, an error in the pipeline's own code or its libraries;
- ``3`` concurrency: another refresh holds the warehouse (retry once it has finished).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

BAD_DATA, ENVIRONMENT, CONCURRENCY = 1, 2, 3
LOCKED_ERRORS = ("RefreshLocked",)  # dagster_project.guard: another refresh holds the lock
GUARD_ERRORS = ("GuardError",)  # dagster_project.guard: the lock file cannot be made
CORRUPT_GZIP = ("BadGzipFile", "Not a gzipped file", "CRC check failed", "Compressed file ended before")
LOCK_MESSAGES = ("Could not set lock on file", "Conflicting lock is held")
DISK_FULL = ("No space left on device", "Disk quota exceeded")
READ_ONLY = ("Read-only file system", "Permission denied")
CHECKS_FAILED = "DagsterAssetCheckFailedError"  # a blocking check failed: its own line says why
DBT_FAILED = "DagsterDbtCliRuntimeError"  # dbt exited non-zero: a failed dbt test has its own line
EventType = dg.DagsterEventType


@dataclass(frozen=True)
class Problem:
    """One cause of a failed run: its kind (an exit code) and the line that explains it."""

    kind: int
    line: str


def _chain(error) -> Iterator:
    """The error and its causes and contexts (SerializableErrorInfo), outermost first."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.cause or error.context


def _first_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _root_message(error) -> str:
    """The innermost error's class and first message line: the actual cause."""
    *_, root = _chain(error)
    return _first_line(root.message) or root.cls_name


def _find(error, needles: tuple[str, ...]) -> str | None:
    """The first line of the first error of the chain whose class or message matches, without its
    class name (``pkg.RefreshLocked: refused: ...`` gives ``refused: ...``)."""
    for link in _chain(error):
        if link.cls_name in needles or any(n in (link.message or "") for n in needles):
            line = _first_line(link.message)
            prefix, _, rest = line.partition(": ")
            return rest if link.cls_name and prefix.split(".")[-1] == link.cls_name else line
    return None


def _error_cause(error) -> tuple[int, str] | None:
    """The kind and the one-line cause of an exception, from its class names and messages."""
    if locked := _find(error, LOCKED_ERRORS):
        return CONCURRENCY, f"{locked} -> wait for the other refresh to finish, then run again"
    if _find(error, LOCK_MESSAGES):
        return CONCURRENCY, (f"the warehouse is locked by another process ({_root_message(error)}) -> wait for "
                             "the other refresh to finish, then run again")
    if _find(error, CORRUPT_GZIP):
        return BAD_DATA, (f"its source file is not valid gzip ({_root_message(error)}) -> export the file again, "
                          "then run again")
    if _find(error, DISK_FULL):
        return ENVIRONMENT, (f"the disk is full ({_root_message(error)}) -> free space on the device of "
                             "KPI_WAREHOUSE or KPI_PUBLISH_DIR, then run again")
    if denied := _find(error, READ_ONLY):
        return ENVIRONMENT, (f"cannot write: {denied} -> make KPI_WAREHOUSE's and KPI_PUBLISH_DIR's "
                             "directories writable, then run again")
    if guard := _find(error, GUARD_ERRORS):
        return ENVIRONMENT, f"{guard} -> make the directory writable, then run again"
    return None


def _step_problem(failure) -> tuple[int, str]:
    """The kind and cause of a failed step, from the error it raised (and its causes)."""
    error = failure.error
    user = failure.user_failure_data
    if error is not None and (known := _error_cause(error)):
        return known
    if user is not None and "file" in user.metadata:
        return _source_problem(user)
    cause = _root_message(error) if error is not None else _first_line(user.description if user else "")
    return ENVIRONMENT, f"raised {cause or 'an error'} -> see the full event log for the traceback"


def _source_problem(user) -> tuple[int, str]:
    """A source file that could not be ingested: missing or unreadable (environment) or malformed (data)."""
    file = Path(str(user.metadata["file"].value))
    description = _first_line(user.description)
    if not file.exists():
        return ENVIRONMENT, (f"source file missing: {description} -> put the export there (or point "
                             "KPI_SOURCE_DIR at it), then run again")
    if not file.is_file():
        return ENVIRONMENT, (f"source file unreadable: {description} -> replace it with the exported CSV "
                             "file, then run again")
    return BAD_DATA, f"malformed source file: {description} -> correct the export (docs/sources.md), then run again"


def _rows(count: int) -> str:
    return f"{count:,} row{'' if count == 1 else 's'}"


def _rules(evaluation) -> str:
    """The failed rules of a check with their counts: from GX's metadata or dbt's."""
    metadata = evaluation.metadata
    if "failures" in metadata:
        failures = metadata["failures"].value or []
        return "; ".join(f"{f['severity']} rule {f['rule']}: " + (_rows(f["count"]) if f["count"] is not None
                                                                 else "could not be evaluated") for f in failures)
    count = metadata.get("dagster_dbt/failed_row_count")
    return f"{_rows(count.value)} failing" if count is not None else (evaluation.description or "failed")


def _check_problem(evaluation) -> Problem | None:
    if evaluation.passed:
        return None
    target = f"{evaluation.asset_key.to_user_string()} [{evaluation.check_name}]"
    if evaluation.severity == dg.AssetCheckSeverity.WARN:
        return Problem(0, f"warning {target}: {_rules(evaluation)} (does not block)")
    return Problem(BAD_DATA, f"check {target} failed: {_rules(evaluation)} -> correct the data "
                             "(docs/validation.md explains each rule), then run again")


def problems(instance: dg.DagsterInstance, run_id: str) -> list[Problem]:
    """Every failed step and failed check of ``run_id`` (and non-blocking warnings), in run order;
    steps that failed for the same cause share one line."""
    steps_by_cause: dict[tuple[int, str], list[str]] = {}
    checks: list[Problem] = []
    dbt_exits: set[tuple[int, str]] = set()
    published = False
    run_failure = None
    for record in instance.get_records_for_run(run_id, limit=None).records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        if event.event_type == EventType.STEP_FAILURE:
            error = event.step_failure_data.error
            if error is not None and error.cls_name == CHECKS_FAILED:
                continue
            problem = _step_problem(event.step_failure_data)
            steps_by_cause.setdefault(problem, []).append(event.step_key)
            if error is not None and any(link.cls_name == DBT_FAILED for link in _chain(error)):
                dbt_exits.add(problem)
        elif event.event_type == EventType.ASSET_CHECK_EVALUATION:
            if problem := _check_problem(event.event_specific_data):
                checks.append(problem)
        elif event.event_type == EventType.ASSET_MATERIALIZATION and event.asset_key.path[0] == "published":
            published = True
        elif event.event_type == EventType.RUN_FAILURE:
            run_failure = event
    if any(check.kind == BAD_DATA for check in checks):  # dbt exits 1 when one of its tests fails
        steps_by_cause = {cause: steps for cause, steps in steps_by_cause.items() if cause not in dbt_exits}
    found = [Problem(kind, f"step{'s' if len(steps) > 1 else ''} {', '.join(steps)}: {cause}")
             for (kind, cause), steps in steps_by_cause.items()]
    found += checks
    if run_failure is not None and not steps_by_cause and not any(p.kind for p in checks):
        error = getattr(run_failure.event_specific_data, "error", None)
        kind, cause = (_error_cause(error) or (ENVIRONMENT, f"{_root_message(error)} -> see the full event log")
                       if error is not None else (ENVIRONMENT, f"{run_failure.message} -> see the full event log"))
        found.append(Problem(kind, f"the run failed before its steps: {cause}"))
    if run_failure is not None:
        found.append(Problem(0, "the new publication was swapped in before the failure" if published
                             else "nothing was published: the last good publication is unchanged"))
    return found


def explain_run(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """One line per failed step and failed check of ``run_id``, each with its cause and what to do."""
    return [p.line for p in problems(instance, run_id)]


def exit_code(instance: dg.DagsterInstance, run_id: str) -> int:
    """0 for a successful run; else 3 (another refresh), 2 (environment) or 1 (bad data), the first
    that applies: a run that could not read its data says nothing yet about the data."""
    run = instance.get_run_by_id(run_id)
    if run is not None and run.status == dg.DagsterRunStatus.SUCCESS:
        return 0
    kinds = {p.kind for p in problems(instance, run_id)}
    for kind in (CONCURRENCY, ENVIRONMENT, BAD_DATA):
        if kind in kinds:
            return kind
    return ENVIRONMENT
