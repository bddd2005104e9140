"""The production instance end to end: a real PostgreSQL server (Debian's, which `make test`
installs where missing) started by the test on a free local port, then `make serve-daemon` and
`make serve-webserver` as two processes sharing deploy/production/dagster.yaml.

The workspace is the project's code location plus tests/fixtures/production/every_minute.py, a
schedule that fires every minute (the pipeline's own runs at 02:00). The daemon must fire it
and launch the run; the run, its events and the daemon's heartbeats must be in PostgreSQL
(read here with SQL) and the run visible through the webserver's GraphQL API, next to the
pipeline's job, schedule and sensors. Bounded: about two to four minutes, twelve at most.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
import yaml

from dagster_project.config import PROJECT_ROOT
from tests.local_ports import free_port, graphql

PROD_HOME = PROJECT_ROOT / "deploy" / "production"
EVERY_MINUTE = PROJECT_ROOT / "tests" / "fixtures" / "production" / "every_minute.py"
PG_USER, PG_PASSWORD, PG_DB = "kpi", "kpi-test-password", "dagster"
RUN_TIMEOUT_SECONDS = 600  # start-up, the next minute, the daemon's tick and the run (2 busy cores)


def postgres_bin() -> Path:
    """Debian's PostgreSQL binaries, newest major version first."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:  # a failure, never a skip: `make test` installs it (Makefile target postgresql)
        pytest.fail("PostgreSQL is not installed: run the tests with `make test` (it runs `make postgresql`)")
    return found[-1].parent


def as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` system user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server():
    """A throwaway PostgreSQL cluster on 127.0.0.1:<free port> with password authentication;
    yields the KPI_PG_* environment of deploy/production/dagster.yaml."""
    bin_dir, port = postgres_bin(), free_port()
    root = Path(tempfile.mkdtemp(prefix="kpi-postgres-"))  # under /tmp: reachable by the postgres user
    data, password_file = root / "data", root / "password"
    password_file.write_text(PG_PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(password_file, "postgres")
    try:
        subprocess.run(as_postgres_user([str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER,
                                         "--auth=scram-sha-256", f"--pwfile={password_file}"]),
                       check=True, capture_output=True, timeout=120)
        options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root}"
        subprocess.run(as_postgres_user([str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data),
                                         "-l", str(root / "server.log"), "-o", options]),
                       check=True, capture_output=True, timeout=90)
        env = {"KPI_PG_HOST": "127.0.0.1", "KPI_PG_PORT": str(port), "KPI_PG_DB": PG_DB,
               "KPI_PG_USER": PG_USER, "KPI_PG_PASSWORD": PG_PASSWORD}
        with closing(connect(env, "postgres")) as con:
            con.autocommit = True
            con.cursor().execute(f"create database {PG_DB}")  # a constant name, not outside input
        yield env
    finally:
        if data.is_dir():
            subprocess.run(as_postgres_user([str(bin_dir / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(data)]),
                           capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def connect(env: dict, database: str | None = None):
    return psycopg2.connect(host=env["KPI_PG_HOST"], port=env["KPI_PG_PORT"], user=env["KPI_PG_USER"],
                            password=env["KPI_PG_PASSWORD"], dbname=database or env["KPI_PG_DB"])


def query(env: dict, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(connect(env)) as con, con.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def served(target: str, env: dict, log: Path, *make_vars: str):
    """``make <target>`` (never re-syncing the venv) in its own process group, stopped after."""
    with open(log, "wb") as out:
        process = subprocess.Popen(["make", "-s", "-o", ".venv/.synced-run", target, *make_vars], cwd=PROJECT_ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        signal_group(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        signal_group(process.pid, signal.SIGKILL)  # whatever is left: code servers, run workers
        process.wait(timeout=10)


def signal_group(pgid: int, sig: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, sig)



def wait_for(what: str, probe, timeout: float, servers: dict[Path, subprocess.Popen]):
    """``probe()``'s first truthy answer, polled every 2 s; a failure with the servers' logs on
    time-out or as soon as one of them stopped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(process.poll() is None for process in servers.values()):
        with suppress(OSError, psycopg2.Error):  # not up yet
            if answer := probe():
                return answer
        time.sleep(2)
    tails = "\n".join(f"--- {log.name} (exit code {process.poll()})\n"
                      + "\n".join(log.read_text(errors="replace").splitlines()[-30:])
                      for log, process in servers.items())
    pytest.fail(f"gave up waiting for {what} after {timeout:.0f} s or a server stopping\n{tails}")


LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries { name
  locationOrLoadError { __typename ... on PythonError { message } ... on RepositoryLocation { repositories {
    jobs { name } schedules { name scheduleState { status } } sensors { name sensorState { status } } } } } } } } }"""
RUN = """query ($runId: ID!) { runOrError(runId: $runId) { __typename ... on Run {
  runId jobName status tags { key value } } } }"""


def test_daemon_and_webserver_share_a_postgres_instance(dbt_manifest, tmp_path):
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(yaml.safe_dump({"load_from": [
        {"python_module": {"module_name": "dagster_project.definitions", "working_directory": str(PROJECT_ROOT),
                           "location_name": "kpi"}},
        {"python_file": {"relative_path": str(EVERY_MINUTE), "working_directory": str(PROJECT_ROOT),
                         "location_name": "every_minute"}},
    ]}))
    storage, web_port = tmp_path / "dagster-storage", free_port()
    logs = [tmp_path / "daemon.log", tmp_path / "webserver.log"]
    make_vars = (f"WORKSPACE={workspace}", f"KPI_DAGSTER_STORAGE={storage}", f"WEBSERVER_PORT={web_port}")
    started = time.monotonic()

    with postgres_server() as pg:
        # the pipeline's paths in tmp too: its own schedule and sensor never touch the repository's data/
        paths = {"KPI_SOURCE_DIR": str(tmp_path / "sources"), "KPI_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
                 "KPI_PUBLISH_DIR": str(tmp_path / "published")}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "KPI_"))} | pg | paths
        with (served("serve-daemon", env, logs[0], *make_vars) as daemon,
              served("serve-webserver", env, logs[1], *make_vars) as webserver):
            servers = {logs[0]: daemon, logs[1]: webserver}
            # the daemon fires the schedule, queues the run and launches it; it ends in PostgreSQL
            run_id, status = wait_for("the scheduled run to succeed", lambda: next(iter(query(
                pg, "select run_id, status from runs where pipeline_name = %s and status in %s",
                ("heartbeat", ("SUCCESS", "FAILURE", "CANCELED")))), None), RUN_TIMEOUT_SECONDS, servers)
            assert status == "SUCCESS", logs[0].read_text()[-3000:]

            tags = dict(query(pg, "select key, value from run_tags where run_id = %s", (run_id,)))
            assert tags["dagster/schedule_name"] == "every_minute"
            events = query(pg, "select dagster_event_type, event from event_logs where run_id = %s", (run_id,))
            assert dg.DagsterEventType.RUN_SUCCESS.value in {kind for kind, _ in events}
            assert any("heartbeat from the production instance" in event for _, event in events)
            ticks = query(pg, "select status, tick_body from job_ticks where type = %s", ("SCHEDULE",))
            assert any(status == "SUCCESS" and run_id in body and "every_minute" in body for status, body in ticks)
            daemons = {d for (d,) in query(pg, "select daemon_type from daemon_heartbeats")}
            assert {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"} <= daemons

            # the webserver reads the same instance: the run, and the pipeline's code location
            wait_for("the webserver", lambda: graphql(web_port, "{ version }"), 120, servers)
            run = graphql(web_port, RUN, {"runId": run_id})["runOrError"]
            assert (run["__typename"], run["jobName"], run["status"]) == ("Run", "heartbeat", "SUCCESS")
            assert {"key": "dagster/schedule_name", "value": "every_minute"} in run["tags"]
            entries = {e["name"]: e["locationOrLoadError"]
                       for e in graphql(web_port, LOCATIONS)["workspaceOrError"]["locationEntries"]}
            assert entries["kpi"]["__typename"] == "RepositoryLocation", entries["kpi"]
            [kpi] = entries["kpi"]["repositories"]
            assert "refresh_all" in {j["name"] for j in kpi["jobs"]}
            assert {s["name"]: s["scheduleState"]["status"] for s in kpi["schedules"]} == {"nightly_refresh": "RUNNING"}
            assert {"new_source_files", "notify_failed_refresh"} <= {s["name"] for s in kpi["sensors"]}

    assert list(storage.rglob("*.complete")) or list(storage.rglob("*.out")), "no compute log in KPI_DAGSTER_STORAGE"
    # nothing of the instance in the repository (the webserver leaves empty telemetry folders)
    assert [p for p in PROD_HOME.rglob("*") if p.is_file()] == [PROD_HOME / "dagster.yaml"]
    assert time.monotonic() - started < RUN_TIMEOUT_SECONDS + 120


def test_production_yaml_keeps_the_local_instance_limits():
    """The production instance serialises runs as dagster_home/dagster.yaml does (DuckDB allows
    one writer), and reads every connection setting from the environment."""
    production = yaml.safe_load((PROD_HOME / "dagster.yaml").read_text())
    local = yaml.safe_load((PROJECT_ROOT / "dagster_home" / "dagster.yaml").read_text())
    assert production["concurrency"] == local["concurrency"]
    assert production["run_coordinator"]["class"] == "QueuedRunCoordinator"
    database = production["storage"]["postgres"]["postgres_db"]
    assert database.pop("scheme") == "postgresql+psycopg2"  # the driver dagster-postgres installs
    assert {name: set(value) for name, value in database.items()} == {
        name: {"env"} for name in ("hostname", "port", "db_name", "username", "password")}
