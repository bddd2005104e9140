"""Create a run of a job as the Dagster UI would, with the code-location origin of the workspace.

A run made by ``job.execute_in_process`` carries no code-location origin: the UI lists it under
/runs only (not on its job's page, the timeline or the jobs list) and cannot re-execute it.
:func:`create_run` loads the code location that ``workspace.yaml`` declares (in this process, no
code server) and records the run with the same ``remote_job_origin`` (location and repository
name, hence the ``.dagster/repository`` tag the job page filters on) and ``job_code_origin`` a run
launched from the UI gets. :func:`execute` then runs it here, in the foreground, as the run worker
(``dagster api execute_run``) does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableJob
from dagster._core.execution.api import execute_run_iterator
from dagster._core.remote_origin import (
    CodeLocationOrigin,
    InProcessCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.remote_representation.code_location import InProcessCodeLocation
from dagster._core.workspace.load import location_origins_from_yaml_paths

from dagster_project.config import PROJECT_ROOT

WORKSPACE_YAML = PROJECT_ROOT / "workspace.yaml"


def workspace_location(workspace: Path = WORKSPACE_YAML) -> CodeLocationOrigin:
    """The one code location of ``workspace.yaml``, named as the webserver names it."""
    origins = location_origins_from_yaml_paths([str(workspace)])
    if len(origins) != 1:
        raise ValueError(f"{workspace} declares {len(origins)} code locations; make run needs exactly one")
    return origins[0]


def create_run(instance: dg.DagsterInstance, job_name: str,
               workspace: Path = WORKSPACE_YAML) -> tuple[ReconstructableJob, dg.DagsterRun]:
    """Load the workspace's code location here and create a NOT_STARTED run of ``job_name`` with
    the origins the UI, the schedule and the sensor give their runs."""
    origin = workspace_location(workspace)
    location = InProcessCodeLocation(
        InProcessCodeLocationOrigin(origin.loadable_target_origin, location_name=origin.location_name),
        instance=instance,
    )
    [repository] = [r for r in location.get_repositories().values() if r.has_job(job_name)]
    remote_job = repository.get_full_job(job_name)
    recon_job = location.get_reconstructable_job(repository.name, job_name)
    job_def = recon_job.get_definition()
    run = instance.create_run_for_job(
        job_def,
        tags=remote_job.tags,
        remote_job_origin=RemoteJobOrigin(RemoteRepositoryOrigin(origin, repository.name), job_name),
        job_code_origin=remote_job.get_python_origin(),
    )
    return recon_job, run


def execute(recon_job: ReconstructableJob, run: dg.DagsterRun,
            instance: dg.DagsterInstance) -> Iterator[dg.DagsterEvent]:
    """Execute ``run`` in this process (its executor decides how steps run), yielding its events."""
    yield from execute_run_iterator(recon_job, run, instance)
