"""The code location: every asset, check, job, schedule, sensor and resource of the pipeline.

:func:`build_defs` makes them for given :class:`Settings`; ``make run``, the tests and the UI
(through :func:`defs`, which reads the settings from the environment when Dagster loads the code
location) all call it, so nothing is read from the environment at import time.

Every run executes in one process (``in_process_executor``): the refresh job and the runs the UI
makes for selected assets ("Materialize", "Materialize all") alike.
"""

import dagster as dg

from dagster_project.config import AlertSettings, Settings
from dagster_project.defs.checks import MART_CHECKS, SOURCE_CHECKS
from dagster_project.defs.dbt_assets import build_dbt_assets
from dagster_project.defs.dead_runs import close_dead_runs
from dagster_project.defs.jobs import build_refresh_job
from dagster_project.defs.notifications import failure_notifications
from dagster_project.defs.publish_asset import build_publication
from dagster_project.defs.raw_assets import RAW_ASSETS
from dagster_project.defs.resources import build_resources
from dagster_project.defs.schedules import nightly_schedule
from dagster_project.defs.sensors import new_source_files


def build_defs(settings: Settings) -> dg.Definitions:
    refresh_job = build_refresh_job(settings)
    return dg.Definitions(
        assets=[*RAW_ASSETS, build_dbt_assets(settings), build_publication(settings)],
        asset_checks=[SOURCE_CHECKS, MART_CHECKS],
        jobs=[refresh_job],
        schedules=[nightly_schedule(settings.schedule_timezone)],
        sensors=[new_source_files, close_dead_runs, failure_notifications(AlertSettings.from_env(), refresh_job)],
        resources=build_resources(settings),
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The code location of the UI (workspace.yaml): the settings of the environment."""
    return build_defs(Settings.from_env())
