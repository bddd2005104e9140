"""A failed refresh is noticed: the ``notify_failed_refresh`` sensor sends the failure report to
a real SMTP server (aiosmtpd, on 127.0.0.1) and a real HTTP listener (a Slack-compatible webhook)
that the test starts.

The failed run is real: ``refresh_all`` of the code location on a source directory missing a
file, executed in a Dagster instance in a tmp DAGSTER_HOME; the sensor is evaluated on that run's
failure event, as the daemon does. Off by default: with no channel configured it skips, sends
nothing and says so in its description.
"""

from __future__ import annotations

import json
import shutil
import threading
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from dagster_project.config import AlertSettings, ConfigError, Settings
from dagster_project.definitions import build_defs
from dagster_project.defs.jobs import build_refresh_job
from dagster_project.defs.notifications import failure_notifications
from dagster_project.notify import DeliveryError
from tests.local_ports import free_port

REFRESH_JOB = build_refresh_job(Settings.from_env({}))  # the job the sensor monitors

MISSING = "cost_lines"  # the source file taken away: the run fails ingesting it
USER, PASSWORD = "kpi-alerts", "s3cret"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, session.authenticated,
                              message_from_bytes(envelope.content, policy=default_policy)))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=(auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode()))


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def webhook():
    """A local HTTP listener that records the JSON bodies POSTed to it."""
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], json.loads(body)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}/hooks/kpi"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def failed_run(dbt_manifest, demo_dir, tmp_path_factory):
    """A real failed ``refresh_all`` run (a source file is missing) in a real instance."""
    root = tmp_path_factory.mktemp("failed_night")
    sources = root / "sources"
    shutil.copytree(demo_dir, sources)
    [missing] = sources.rglob(f"{MISSING}*")
    missing.unlink()
    settings = Settings.from_env({"KPI_SOURCE_DIR": str(sources), "KPI_WAREHOUSE": str(root / "warehouse.duckdb"),
                                  "KPI_PUBLISH_DIR": str(root / "published")})
    (root / "dagster_home").mkdir()
    with dg.DagsterInstance.from_config(str(root / "dagster_home")) as instance:
        result = build_defs(settings).resolve_job_def("refresh_all").execute_in_process(
            instance=instance, raise_on_error=False)
        assert not result.success
        yield instance, result


def evaluate(sensor: dg.SensorDefinition, instance, result):
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_instance=instance, dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event()).for_run_failure()
    return sensor(context)


def test_failed_run_is_mailed_and_posted(failed_run, smtp_server, webhook):
    instance, result = failed_run
    inbox, port = smtp_server
    received, url = webhook
    run_id = result.run_id
    alerts = AlertSettings.from_env({
        "KPI_ALERT_SMTP_HOST": "127.0.0.1", "KPI_ALERT_SMTP_PORT": str(port),
        "KPI_ALERT_SMTP_FROM": "kpi@example.org", "KPI_ALERT_SMTP_TO": "data-team@example.org, oncall@example.org",
        "KPI_ALERT_SMTP_USER": USER, "KPI_ALERT_SMTP_PASSWORD": PASSWORD,
        "KPI_ALERT_WEBHOOK_URL": url, "KPI_UI_BASE_URL": "http://dagster.internal:3000/"})
    sensor = failure_notifications(alerts, REFRESH_JOB)
    assert f"127.0.0.1:{port}" in sensor.description and "webhook" in sensor.description

    evaluate(sensor, instance, result)

    [(sender, recipients, authenticated, mail)] = inbox.messages
    assert sender == "kpi@example.org" and recipients == ["data-team@example.org", "oncall@example.org"]
    assert authenticated
    body = mail.get_content()
    assert run_id[:8] in mail["Subject"] and "refresh_all" in mail["Subject"]
    assert f"Run id: {run_id}" in body
    assert f"In the UI: http://dagster.internal:3000/runs/{run_id}" in body
    started = instance.get_run_record_by_id(run_id).start_time
    assert "Started: 20" in body and started
    # the cause: the failed ingestion step and the missing file, as the event log has them
    cause = next(line for line in body.splitlines() if line.startswith("- "))
    assert "raw" in cause and MISSING in cause, body

    [(path, content_type, payload)] = received
    assert path == "/hooks/kpi" and content_type == "application/json"
    assert set(payload) == {"text"}
    assert run_id in payload["text"] and cause[2:] in payload["text"]


def test_a_channel_down_is_reported_and_the_other_still_served(failed_run, webhook):
    """The SMTP server is not listening: the tick fails naming it; the webhook was still posted."""
    instance, result = failed_run
    received, url = webhook
    closed_port = free_port()
    alerts = AlertSettings.from_env({"KPI_ALERT_SMTP_HOST": "127.0.0.1", "KPI_ALERT_SMTP_PORT": str(closed_port),
                                     "KPI_ALERT_SMTP_FROM": "kpi@example.org", "KPI_ALERT_SMTP_TO": "team@example.org",
                                     "KPI_ALERT_WEBHOOK_URL": url})
    with pytest.raises(DeliveryError, match=r"email: ConnectionRefusedError.*reached: webhook"):
        evaluate(failure_notifications(alerts, REFRESH_JOB), instance, result)
    assert len(received) == 1 and result.run_id in received[0][2]["text"]


def test_off_by_default_sends_nothing(failed_run, smtp_server, webhook):
    instance, result = failed_run
    sensor = failure_notifications(AlertSettings.from_env({}), REFRESH_JOB)
    assert sensor.description.startswith("Off: set KPI_ALERT_SMTP_HOST")
    skipped = evaluate(sensor, instance, result)
    assert isinstance(skipped, dg.SkipReason) and result.run_id in skipped.skip_message
    assert smtp_server[0].messages == [] and webhook[0] == []


def test_the_code_location_has_the_sensor_on_refresh_all(dbt_manifest, monkeypatch):
    monkeypatch.setenv("KPI_ALERT_WEBHOOK_URL", "https://hooks.example.org/T0/B0/x")
    sensor = build_defs(Settings.from_env()).resolve_sensor_def("notify_failed_refresh")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert "webhook" in sensor.description


@pytest.mark.parametrize(("env", "message"), [
    ({"KPI_ALERT_SMTP_HOST": "smtp.example.org"}, "KPI_ALERT_SMTP_FROM and KPI_ALERT_SMTP_TO"),
    ({"KPI_ALERT_WEBHOOK_URL": "hooks.example.org/x"}, "is not an http"),
    ({"KPI_ALERT_SMTP_PORT": "70000"}, "is not a TCP port"),
    ({"KPI_ALERT_SMTP_STARTTLS": "maybe"}, "must be true or false"),
    ({"KPI_ALERT_SMTP_USER": "u"}, "go together"),
])
def test_bad_alert_settings_are_named(env, message):
    with pytest.raises(ConfigError, match=message):
        AlertSettings.from_env(env)


def test_settings_defaults_are_off():
    assert AlertSettings.from_env({}).channels == []
