"""`make run`'s entry point as a user runs it: a fresh process, the run recorded in the Dagster
home with its code-location origin (seen through the webserver as the UI sees it), the stage
console, the event log file, the exit status and the report."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.config import PROJECT_ROOT
from dagster_project.contract import SOURCES
from dagster_project.dbt_runner import MANIFEST_PATH
from dagster_project.launch import workspace_location
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import read_manifest
from tests.local_ports import free_port, graphql

STAGE_LINE = re.compile(r"^\[\s*\d+\.\d s\] (ingest|validate sources|transform \(dbt\)|validate KPIs|publish)\s+(.*)$")
MAX_CONSOLE_LINES = 40


def dbt_data_tests() -> int:
    """The dbt data tests of the manifest, each an asset check on the model it is attached to."""
    nodes = json.loads(MANIFEST_PATH.read_text())["nodes"].values()
    return sum(1 for n in nodes if n["resource_type"] == "test" and n.get("attached_node"))


def run_env(source_dir: Path, root: Path) -> dict[str, str]:
    """The environment of a refresh in ``root``: its own Dagster home, warehouse and publish dir."""
    home = root / "dagster_home"
    if not home.exists():
        home.mkdir()
        shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home)
    return {**os.environ, "DAGSTER_HOME": str(home), "KPI_SOURCE_DIR": str(source_dir),
            "KPI_WAREHOUSE": str(root / "warehouse.duckdb"), "KPI_PUBLISH_DIR": str(root / "published")}


def make_run(source_dir: Path, root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dagster_project.run", *args], env=run_env(source_dir, root),
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def good_run(dbt_manifest, demo_dir, tmp_path_factory):
    """One `make run` on the demo: its folder and completed process, shared by the tests below."""
    root = tmp_path_factory.mktemp("make_run")
    return root, make_run(demo_dir, root)


def stage_lines(stdout: str) -> list[tuple[str, str]]:
    return [m.groups() for m in map(STAGE_LINE.match, stdout.splitlines()) if m]


def test_a_clean_run_publishes_and_is_recorded_in_the_dagster_home(good_run):
    root, done = good_run
    assert done.returncode == 0, done.stderr[-3000:]
    [run_id] = re.findall(r"^run (\S+) succeeded in \d+\.\d s$", done.stdout, re.MULTILINE)
    manifest = read_manifest(root / "published")
    assert sorted(manifest["tables"]) == sorted(t.name for t in PUBLISHED_TABLES)
    # the report is printed, and it is the release's own (swapped in with the tables)
    [report] = re.findall(r"^report: (.+)$", done.stdout, re.MULTILINE)
    assert Path(report).resolve() == (root / "published").resolve() / "report" / "index.html"
    assert manifest["run_id"] == run_id and run_id in Path(report).read_text()
    assert manifest["parameters"]["min_group_size"] == 5 and manifest["validation"]["warnings"] == []
    with dg.DagsterInstance.from_config(str(root / "dagster_home")) as instance:
        [run] = instance.get_runs()
        assert (run.run_id, run.job_name, run.status) == (run_id, "refresh_all", dg.DagsterRunStatus.SUCCESS)
        # the run carries the workspace's code-location origin, as a run launched from the UI does
        assert run.remote_job_origin.location_name == workspace_location().location_name
        assert run.job_code_origin.job_name == "refresh_all"
        records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    gx = [e for e in evaluations if e.check_name == "gx_suite"]
    # one GX suite per source and per published table, reported here
    assert len(gx) == len(SOURCES) + len(PUBLISHED_TABLES) and all(e.passed for e in gx)
    assert len(evaluations) - len(gx) == dbt_data_tests() > 0
    assert manifest["validation"]["checks"] == len(evaluations)
    assert manifest["validation"]["dbt_tests"] == dbt_data_tests()
    assert manifest["validation"]["expectations"] == sum(e.metadata["evaluated_expectations"].value for e in gx)


def test_the_console_shows_each_stage_and_the_event_log_goes_to_a_file(good_run):
    root, done = good_run
    lines = done.stdout.splitlines()
    assert 0 < len(lines) < MAX_CONSOLE_LINES, done.stdout
    assert done.stderr == ""  # no Python warning, no traceback on a successful run
    stages = stage_lines(done.stdout)
    # each stage starts and ends, in the order of the pipeline
    order = list(dict.fromkeys(name for name, _ in stages))
    assert order == ["ingest", "validate sources", "transform (dbt)", "validate KPIs", "publish"]
    ends = {name: text for name, text in stages if text.startswith("done: ")}
    assert set(ends) == set(order), done.stdout
    ingested = re.fullmatch(r"done: (\d+)/(\d+) files, ([\d,]+) rows \(\d+\.\d s\)", ends["ingest"])
    assert ingested and int(ingested[1]) == int(ingested[2]) == len(SOURCES)
    with dg.DagsterInstance.from_config(str(root / "dagster_home")) as instance:
        [run] = instance.get_runs()
        materializations = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    events = [r.event_log_entry.dagster_event for r in materializations]
    raw_rows = sum(e.event_specific_data.materialization.metadata["dagster/row_count"].value
                   for e in events if e.asset_key.path[0] == "raw")
    assert int(ingested[3].replace(",", "")) == raw_rows > 0
    sources = re.fullmatch(r"done: (\d+) suites, ([\d,]+) rules checked, 0 failed, 0 warnings \(\d+\.\d s\)",
                           ends["validate sources"])
    assert sources and int(sources[1]) == len(SOURCES) and int(sources[2].replace(",", "")) > 0
    kpis = re.fullmatch(r"done: (\d+) suites, ([\d,]+) rules checked, 0 failed, 0 warnings \(\d+\.\d s\)",
                        ends["validate KPIs"])
    assert kpis and int(kpis[1]) == len(PUBLISHED_TABLES)
    tests = dbt_data_tests()
    dbt = re.fullmatch(rf"done: (\d+)/\1 models, {tests}/{tests} tests, 0 failed, 0 warned \(\d+\.\d s\)",
                       ends["transform (dbt)"])
    assert dbt, ends["transform (dbt)"]
    # the progress count of dbt: models and tests done so far, increasing
    progress = [tuple(map(int, m.groups())) for name, text in stages if name == "transform (dbt)"
                and (m := re.fullmatch(rf"(\d+)/{dbt[1]} models, (\d+)/{tests} tests", text))]
    assert len(progress) >= 2 and progress == sorted(progress)
    assert re.search(rf"{len(PUBLISHED_TABLES)} tables in kpi.duckdb and parquet/, swapped in at "
                     rf"{re.escape(str(root / 'published'))}", ends["publish"])
    # the full event log is in the file the console names, every event at DEBUG
    [log] = re.findall(r"full event log: (\S+)$", lines[0])
    assert Path(log) == root / "logs" / f"{run.run_id}.log"
    text = Path(log).read_text()
    assert f" - DEBUG - refresh_all - {run.run_id} - " in text
    for event in ("RUN_START", "STEP_START", "ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION", "RUN_SUCCESS"):
        assert f" - {event} - " in text, event
    assert "Completed successfully" in text  # dbt's own log, which dagster-dbt echoes on stdout




@pytest.fixture
def webserver(good_run, demo_dir):
    """The Dagster webserver on the good run's Dagster home, loading workspace.yaml as `make ui` does."""
    root, _ = good_run
    port = free_port()
    log = (root / "webserver.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "dagster-webserver"), "-h", "127.0.0.1",
                               "-p", str(port), "-w", "workspace.yaml"],
                              env=run_env(demo_dir, root), cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while True:
            assert server.poll() is None, (root / "webserver.log").read_text()[-3000:]
            try:
                status = graphql(port, "{ workspaceOrError { ... on Workspace { locationEntries {"
                                        " loadStatus } } } }")
                if all(e["loadStatus"] == "LOADED" for e in status["workspaceOrError"]["locationEntries"]):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the webserver did not load the code location in 240 s"
            time.sleep(1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


JOB_RUNS = """query JobRuns($filter: RunsFilter) {
  runsOrError(filter: $filter) { ... on Runs { results {
    runId status pipelineSnapshotId repositoryOrigin { repositoryLocationName repositoryName } } } } }"""
JOB = """query Job($selector: PipelineSelector!) { pipelineOrError(params: $selector) {
  __typename ... on Pipeline { pipelineSnapshotId } } }"""
REEXECUTE = """mutation Reexecute($parent: String!) {
  launchRunReexecution(reexecutionParams: {parentRunId: $parent, strategy: ALL_STEPS}) {
    __typename ... on LaunchRunSuccess { run { runId status parentRunId } } ... on PythonError { message } } }"""


def test_the_run_is_on_its_job_page_and_can_be_re_executed_from_the_ui(good_run, webserver):
    _, done = good_run
    [run_id] = re.findall(r"^run (\S+) succeeded", done.stdout, re.MULTILINE)
    location = workspace_location().location_name
    # the job page's Runs tab (and the timeline) filter on the job name and the repository tag
    runs = graphql(webserver, JOB_RUNS, {"filter": {"pipelineName": "refresh_all", "tags": [
        {"key": ".dagster/repository", "value": f"__repository__@{location}"}]}})["runsOrError"]["results"]
    [run] = [r for r in runs if r["runId"] == run_id]
    assert run["status"] == "SUCCESS"
    assert run["repositoryOrigin"] == {"repositoryLocationName": location, "repositoryName": "__repository__"}
    # the run's job snapshot is the code location's: the UI matches it by origin and snapshot (no warning)
    job = graphql(webserver, JOB, {"selector": {"pipelineName": "refresh_all", "repositoryName": "__repository__",
                                                 "repositoryLocationName": location}})["pipelineOrError"]
    assert job["pipelineSnapshotId"] == run["pipelineSnapshotId"]
    # and "Re-execute" works: the webserver finds the code location from the run's origin
    launched = graphql(webserver, REEXECUTE, {"parent": run_id})["launchRunReexecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    assert launched["run"]["parentRunId"] == run_id
    # the instance queues runs (one at a time) and no daemon runs here: the re-execution waits in the queue
    assert launched["run"]["status"] == "QUEUED"


def test_a_blocked_run_exits_1_saying_what_failed_and_verbose_streams_the_log(dbt_manifest, defective_dir, tmp_path):
    done = make_run(defective_dir, tmp_path, "--verbose")
    assert done.returncode == 1, done.stderr[-3000:]
    assert "FAILED" in done.stderr and "nothing was published: the last good publication is unchanged" in done.stderr
    assert re.search(r"^  check raw/cost_lines \[gx_suite\] failed: .*critical rule fx_rate_exists: \d+ rows?[;, ]",
                     done.stderr, re.MULTILINE)
    # the failed checks are the cause: the validation step is not reported as an error of its own
    assert "DagsterAssetCheckFailedError" not in done.stderr.split("FAILED after")[-1]
    # the stages after the failed validation never started, and the console says so
    assert re.search(r"\] transform \(dbt\)\s+not run: an earlier stage failed$", done.stdout, re.MULTILINE)
    # --verbose streams the event log as well as writing it
    assert " - DEBUG - refresh_all - " in done.stderr and " - DEBUG - " not in done.stdout
    assert not (tmp_path / "published").exists()
