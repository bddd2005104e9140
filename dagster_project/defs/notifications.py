"""The failure notification: a run-failure sensor on ``refresh_all`` that sends the failure
report (job, run id, start time, a link to the run, why it failed) by email and/or webhook.

Off unless a channel is configured (:class:`dagster_project.config.AlertSettings`); the sensor
then skips every failure and its description says how to turn it on.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from dagster_project.config import AlertSettings
from dagster_project.failures import CONCURRENCY, exit_code, explain_run
from dagster_project.notify import deliver

OFF = ("Off: set KPI_ALERT_SMTP_HOST (with _FROM and _TO) and/or KPI_ALERT_WEBHOOK_URL "
       "to be told when a refresh fails.")


def failure_notice(instance: dg.DagsterInstance, run: dg.DagsterRun, ui_base_url: str | None) -> tuple[str, str]:
    """The subject and body of the notice of a failed run."""
    record = instance.get_run_record_by_id(run.run_id)
    started = record.start_time if record and record.start_time else None
    start = dt.datetime.fromtimestamp(started, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if started else "never started"
    causes = explain_run(instance, run.run_id) or ["no failed step recorded: see the run's event log"]
    lines = [f"Job: {run.job_name}", f"Run id: {run.run_id}", f"Started: {start}"]
    if ui_base_url:
        lines.append(f"In the UI: {ui_base_url}/runs/{run.run_id}")
    lines += ["", "Why it failed:", *(f"- {cause}" for cause in causes),
              "", "The previous publication is still the one BI tools read."]
    return f"[KPI refresh] {run.job_name} FAILED (run {run.run_id[:8]})", "\n".join(lines)


def failure_notifications(alerts: AlertSettings, job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    """The ``notify_failed_refresh`` sensor on ``job``, sending to the channels of ``alerts``."""
    description = (f"Sends the failure report of refresh_all to {' and '.join(alerts.channels)}."
                   if alerts.channels else OFF)

    @dg.run_failure_sensor(name="notify_failed_refresh", monitored_jobs=[job],
                           default_status=dg.DefaultSensorStatus.RUNNING, description=description)
    def notify_failed_refresh(context: dg.RunFailureSensorContext):
        if not alerts.channels:
            return dg.SkipReason(f"run {context.dagster_run.run_id} failed; {OFF}")
        if exit_code(context.instance, context.dagster_run.run_id) == CONCURRENCY:
            # refused at once because another refresh was running: that one publishes, nothing failed
            return dg.SkipReason(f"run {context.dagster_run.run_id} was refused: another refresh was running")
        subject, body = failure_notice(context.instance, context.dagster_run, alerts.ui_base_url)
        reached = deliver(alerts, subject, body)
        context.log.info(f"run {context.dagster_run.run_id} failed: notified by {', '.join(reached)}")
        return None

    return notify_failed_refresh
