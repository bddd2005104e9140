"""The code location: every asset, check, job, schedule, sensor and resource of the pipeline."""

import dagster as dg

from dagster_project.config import Settings
from dagster_project.defs.checks import MART_CHECKS, SOURCE_CHECKS
from dagster_project.defs.dbt_assets import build_dbt_assets
from dagster_project.defs.jobs import refresh_all
from dagster_project.defs.publish_asset import kpi_publication
from dagster_project.defs.raw_assets import RAW_ASSETS
from dagster_project.defs.resources import build_resources
from dagster_project.defs.schedules import nightly_schedule
from dagster_project.defs.sensors import new_source_files

settings = Settings.from_env()

defs = dg.Definitions(
    assets=[*RAW_ASSETS, build_dbt_assets(settings), kpi_publication],
    asset_checks=[SOURCE_CHECKS, MART_CHECKS],
    jobs=[refresh_all],
    schedules=[nightly_schedule(settings.schedule_timezone)],
    sensors=[new_source_files],
    resources=build_resources(settings),
)
