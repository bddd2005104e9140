"""The nightly refresh schedule."""

import dagster as dg

from dagster_project.defs.jobs import JOB_NAME

NIGHTLY_CRON = "0 2 * * *"


def nightly_schedule(timezone: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="nightly_refresh",
        job_name=JOB_NAME,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Refresh every KPI at 02:00 ({timezone}) each night.",
    )
