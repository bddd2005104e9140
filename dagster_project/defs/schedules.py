"""The nightly refresh schedule."""

import dagster as dg

from dagster_project.defs.jobs import refresh_all

NIGHTLY_CRON = "0 2 * * *"


def nightly_schedule(timezone: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="nightly_refresh",
        job=refresh_all,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Refresh every KPI at 02:00 ({timezone}) each night.",
    )
