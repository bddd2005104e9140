"""One refresh at a time, whatever starts it: two real ``make run`` processes on the same warehouse,
publication and Dagster home; a run launched through the webserver's GraphQL API (served with the
daemon on the test's Dagster home) while ``make run`` holds the warehouse."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from dagster_project.config import PROJECT_ROOT
from dagster_project.publish import read_manifest
from tests.refresh_runs import RunDirs, finish, prepare, start, started_steps, wait_until


def refusal_pattern(holder) -> str:
    return (rf"refused: another refresh is running on \S+ \(run {holder.run_id} "
            rf"started {re.escape(holder.started_at)}, PID {holder.pid}\); this run changed nothing")


@pytest.fixture
def bad_budget_sources(demo_dir, tmp_path) -> Path:
    """The demo sources with one budget of -99,999,999.00 EUR (the issue's run B)."""
    sources = tmp_path / "bad_sources"
    shutil.copytree(demo_dir, sources)
    budgets = sources / "costs" / "budgets.csv"
    header, first, *rest = budgets.read_text().splitlines()
    budgets.write_text("\n".join([header, ",".join([*first.split(",")[:2], "-99999999.00"]), *rest]) + "\n")
    return sources


def test_a_second_make_run_is_refused_and_never_mixes_the_publication(dbt_manifest, demo_dir, bad_budget_sources,
                                                                      tmp_path):
    dirs = RunDirs.make(tmp_path / "run", demo_dir)
    prepare(dirs)
    run_a = start(dirs)
    holder = wait_until(dirs.holder, 300, "run A to take the refresh lock")
    time.sleep(3)  # the case: B starts 3 s later, with a budget that its checks reject
    run_b = start(dirs, bad_budget_sources)
    code_b, out_b, err_b = finish(run_b, 300)
    assert run_a.poll() is None, "A was still running when B was refused"
    code_a, _, err_a = finish(run_a)

    assert code_a == 0, err_a[-3000:]
    assert code_b != 0
    assert holder.pid == run_a.pid
    assert re.search(refusal_pattern(holder), out_b + err_b), (out_b + err_b)[-3000:]
    with dirs.instance() as instance:
        runs = {r.run_id: r for r in instance.get_runs()}
        [b_id] = set(runs) - {holder.run_id}
        assert runs[holder.run_id].status == dg.DagsterRunStatus.SUCCESS
        assert runs[b_id].status == dg.DagsterRunStatus.FAILURE
        assert started_steps(instance, b_id) == []  # B never ran a step: it wrote nothing
    manifest = read_manifest(dirs.publish_dir)
    assert manifest["run_id"] == holder.run_id
    [budgets] = [s for s in manifest["sources"] if s["name"].startswith("costs/budgets")]
    assert budgets["sha256"] == hashlib.sha256((demo_dir / "costs" / "budgets.csv").read_bytes()).hexdigest()
    budget = pq.read_table(dirs.publish_dir / "parquet" / "hub_costs.parquet", columns=["budget_eur"])
    assert min(v for v in budget.column("budget_eur").to_pylist() if v is not None) > 0  # none of B's budget
    assert dirs.holder() is None  # released and emptied at the end of A


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql",
                                     data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


LAUNCH = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""

LOCATIONS = "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"


@pytest.fixture
def webserver_and_daemon(tmp_path, demo_dir):
    """``dagster-webserver`` and ``dagster-daemon run`` on the test's Dagster home, a free port."""
    dirs = RunDirs.make(tmp_path / "run", demo_dir)
    prepare(dirs)
    port = free_port()
    bin_dir = Path(shutil.which("dagster-webserver", path=str(PROJECT_ROOT / ".venv" / "bin"))).parent
    logs = [open(tmp_path / name, "w") for name in ("webserver.log", "daemon.log")]  # noqa: SIM115
    processes = [
        subprocess.Popen([str(bin_dir / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1",
                          "-p", str(port)], env=dirs.env(), cwd=PROJECT_ROOT, stdout=logs[0], stderr=logs[0],
                         start_new_session=True),
        subprocess.Popen([str(bin_dir / "dagster-daemon"), "run", "-w", "workspace.yaml"], env=dirs.env(),
                         cwd=PROJECT_ROOT, stdout=logs[1], stderr=logs[1], start_new_session=True),
    ]

    def location() -> str | None:
        try:
            entries = graphql(port, LOCATIONS)["data"]["workspaceOrError"]["locationEntries"]
        except OSError:
            return None
        return entries[0]["name"] if entries else None

    try:
        name = wait_until(location, 240, "the webserver to serve the code location", poll=1)
        yield dirs, port, name
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


def test_a_run_launched_through_graphql_waits_while_make_run_holds_the_warehouse(dbt_manifest, webserver_and_daemon):
    dirs, port, location = webserver_and_daemon
    run_a = start(dirs)
    holder = wait_until(dirs.holder, 300, "make run to take the refresh lock")
    params = {"selector": {"repositoryLocationName": location, "repositoryName": "__repository__",
                           "jobName": "refresh_all"}, "runConfigData": {}, "mode": "default"}
    launched = graphql(port, LAUNCH, {"params": params})["data"]["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    ui_run = launched["run"]["runId"]

    with dirs.instance() as instance:
        # while make run's run lasts (it holds the lock), the UI's run waits in the queue, runs no step
        while not instance.get_run_by_id(holder.run_id).is_finished:
            assert instance.get_run_by_id(ui_run).status in (dg.DagsterRunStatus.QUEUED,
                                                             dg.DagsterRunStatus.NOT_STARTED)
            assert started_steps(instance, ui_run) == []
            time.sleep(0.5)
        code_a, _, err_a = finish(run_a)
        assert code_a == 0, err_a[-3000:]
        a_end = instance.get_run_stats(holder.run_id).end_time
        assert read_manifest(dirs.publish_dir)["run_id"] == holder.run_id

        # then the daemon launches it, it takes the lock and publishes on its own
        wait_until(lambda: instance.get_run_by_id(ui_run).is_finished, 600, "the UI's run to finish", poll=1)
        assert instance.get_run_by_id(ui_run).status == dg.DagsterRunStatus.SUCCESS
        assert instance.get_run_stats(ui_run).start_time >= a_end
    assert read_manifest(dirs.publish_dir)["run_id"] == ui_run


def test_the_dbt_manifest_is_parsed_by_one_process_at_a_time(dbt_manifest):
    """``make run``, the webserver and the daemon all prepare the manifest when they start: a
    second one waits while the first holds the parse lock, then finds the manifest current."""
    import fcntl
    import sys

    from dagster_project.prepare import PARSE_LOCK_PATH, manifest_is_current, prepare_dbt_manifest

    prepare_dbt_manifest()  # current for this environment (other tests parse for their warehouses)
    assert manifest_is_current()
    with PARSE_LOCK_PATH.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        second = subprocess.Popen([sys.executable, "-m", "dagster_project.prepare"], cwd=PROJECT_ROOT)
        time.sleep(3)
        assert second.poll() is None  # waiting for the lock, not parsing into the same folder
    assert second.wait(timeout=120) == 0
    assert manifest_is_current()
