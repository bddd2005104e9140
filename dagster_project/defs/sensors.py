"""A sensor that refreshes everything when new source exports land in the source directory."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from dagster_project.contract import SOURCES
from dagster_project.defs.jobs import JOB_NAME
from dagster_project.defs.resources import SourceDirectory
from dagster_project.ingest import SourceFileError, locate


def fingerprint(sources: SourceDirectory) -> str:
    """Name, size and modification time of every source file (cheap: nothing is read)."""
    state = {}
    for source in SOURCES:
        try:
            stat = (path := locate(Path(sources.path), source)).stat()
            state[source.name] = [path.name, stat.st_size, stat.st_mtime_ns]
        except SourceFileError:
            state[source.name] = None  # a file being replaced; the run would fail on it anyway
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


@dg.sensor(job_name=JOB_NAME, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts refresh_all when the files of the source directory change (new exports).")
def new_source_files(context: dg.SensorEvaluationContext, sources: SourceDirectory):
    current = fingerprint(sources)
    if context.cursor is None:
        context.update_cursor(current)
        return dg.SkipReason("first look at the source directory: its state is recorded, nothing to run")
    if current == context.cursor:
        return dg.SkipReason("the source files have not changed")
    context.update_cursor(current)
    return dg.RunRequest(run_key=current, tags={"kpi/trigger": "new source files"})
