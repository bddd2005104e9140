"""``make run``: refresh everything once, in the foreground, recorded in the project's Dagster home.

The run is created with the code-location origin of ``workspace.yaml`` (:mod:`dagster_project.launch`),
so the Dagster UI shows it on the job's page and can re-execute it, and it is executed in this
process as a run worker would. The console shows one line per stage (:mod:`dagster_project.console`);
the full Dagster event log goes to ``<warehouse dir>/logs/<run id>.log`` (``--verbose``, or
``make run VERBOSE=1``, streams it as well). A failed run ends with one line per failed step or
check, its cause and what to do (:mod:`dagster_project.failures`), and the exit code says which
kind of problem it was (0 success, 1 bad data, 2 environment, 3 another refresh running).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

from dagster_project.config import PROJECT_ROOT, Settings

JOB_NAME = "refresh_all"
LOG_DIR_NAME = "logs"


def log_path(settings: Settings, run_id: str) -> Path:
    """Where the full event log of ``run_id`` is written: ``logs/`` beside the warehouse."""
    return settings.warehouse.parent / LOG_DIR_NAME / f"{run_id}.log"


class _Tee:
    """A text stream writing to several streams (the log file, and the terminal with --verbose)."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def event_log_to(path: Path, verbose: bool):
    """Send what the run writes to ``sys.stderr`` (Dagster's console logger: every event at DEBUG,
    Python warnings) and ``sys.stdout`` (dbt's own log, which dagster-dbt echoes) to ``path``, and
    to the terminal as well with ``verbose``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as log:
        err, out = (_Tee(log, sys.stderr), _Tee(log, sys.stdout)) if verbose else (log, log)
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            yield


def refresh(instance, settings: Settings, verbose: bool) -> tuple[str, float]:
    """Create the run, execute it here with the stage console, and return its id and duration."""
    from dagster_project.console import Progress, plan_stages
    from dagster_project.launch import create_run, execute

    started = time.perf_counter()
    recon_job, run = create_run(instance, JOB_NAME)
    path = log_path(settings, run.run_id)
    print(f"run {run.run_id} of {JOB_NAME}; full event log: {path}", flush=True)
    steps = set(run.step_keys_to_execute) if run.step_keys_to_execute else None
    progress = Progress(plan_stages(recon_job.get_definition(), steps), str(settings.source_dir),
                        str(settings.publish_dir), out=sys.stdout)
    instance.add_event_listener(run.run_id, progress)
    with event_log_to(path, verbose):
        for _event in execute(recon_job, run, instance):
            pass
    progress.close()
    for line in progress.summary():
        print(line)
    return run.run_id, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="stream the full Dagster event log too")
    args = parser.parse_args(argv)
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / "dagster_home"))
    import dagster as dg

    from dagster_project.failures import exit_code, explain_run
    from dagster_project.prepare import prepare_dbt_manifest

    settings = Settings.from_env()
    prepare_dbt_manifest()
    with dg.DagsterInstance.get() as instance:
        run_id, elapsed = refresh(instance, settings, args.verbose)
        run = instance.get_run_by_id(run_id)
        if run.status == dg.DagsterRunStatus.SUCCESS:
            print(f"run {run_id} succeeded in {elapsed:.1f} s")
            return 0
        print(f"run {run_id} FAILED after {elapsed:.1f} s:", file=sys.stderr)
        for line in explain_run(instance, run_id):
            print(f"  {line}", file=sys.stderr)
        print(f"full event log: {log_path(settings, run_id)}", file=sys.stderr)
        return exit_code(instance, run_id)


if __name__ == "__main__":
    raise SystemExit(main())
