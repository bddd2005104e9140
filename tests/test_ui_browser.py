"""The Dagster UI as a data engineer sees it, in a real browser (Debian's Chromium, 1440×900).

One module-scoped UI (``python -m dagster_project.ui``: webserver and daemon) on a free port, a
Dagster home, sources, warehouse and publish folder of its own. The job is launched as the UI's
launchpad does (GraphQL ``launchRun``) and executed by the daemon's run worker; then the pages are
read. Screenshots go to ``data/test-artifacts/ui/`` (docs/ui-*.png are copies). The last test
stops the UI with Ctrl-C (SIGINT) and times the shutdown.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psutil
import pytest

from benchmarks.launched import free_port, serving, wait_until
from dagster_project.config import PROJECT_ROOT
from dagster_project.output_contract import PUBLISHED_TABLES
from tests.test_report_browser import browser  # noqa: F401 - the Chromium fixture

LOCATION = "ai_transformation_kpis"
VIEWPORT = {"width": 1440, "height": 900}
ARTIFACTS = PROJECT_ROOT / "data" / "test-artifacts" / "ui"
RUN_TIMEOUT = 1200  # the demo takes about a minute alone; the test machine may be shared
SHUTDOWN_SECONDS = 15
MART = next(t for t in PUBLISHED_TABLES if t.name == "hub_costs")


@dataclass
class Ui:
    url: str
    process: subprocess.Popen
    run_id: str
    publish_dir: Path
    log: Path


def _launch(port: int) -> str | None:
    """Launch the job as the launchpad does; None while the code location is still loading."""
    from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

    try:
        return DagsterGraphQLClient("127.0.0.1", port_number=port).submit_job_execution(
            "refresh_all", repository_location_name=LOCATION, repository_name="__repository__")
    except DagsterGraphQLClientError:
        return None


@pytest.fixture(scope="module")
def ui(demo_dir, tmp_path_factory) -> Ui:
    root = tmp_path_factory.mktemp("ui")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home)
    shutil.copytree(demo_dir, root / "sources")
    env = {**os.environ, "DAGSTER_HOME": str(home), "KPI_SOURCE_DIR": str(root / "sources"),
           "KPI_WAREHOUSE": str(root / "warehouse.duckdb"), "KPI_PUBLISH_DIR": str(root / "published"),
           "FRESHNESS_DAEMON_INTERVAL_SECONDS": "5"}
    subprocess.run([sys.executable, "-m", "dagster_project.prepare"], env=env, cwd=PROJECT_ROOT, check=True)
    port = free_port()
    log = root / "ui.log"
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "dagster_project.ui", "--port", str(port)], env=env,
                                   cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: serving(url), 600, "the webserver")  # minutes on a busy shared machine
        run_id = wait_until(lambda: _launch(port), 600, "the code location")
        import dagster as dg

        with dg.DagsterInstance.from_config(str(home)) as instance:
            wait_until(lambda: instance.get_run_by_id(run_id).is_finished, RUN_TIMEOUT, "the launched run", 2)
            status = instance.get_run_by_id(run_id).status
        assert status == dg.DagsterRunStatus.SUCCESS, f"{status}; see {log}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield Ui(url, process, run_id, root / "published", log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def page(browser, ui):  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield page
    context.close()


def _open(page, ui: Ui, path: str, ready: str, timeout: float = 60_000):
    page.goto(ui.url + path)
    page.get_by_text(ready, exact=False).first.wait_for(timeout=timeout)
    _settle(page)
    skip = page.get_by_role("button", name="Skip")  # "Join the Dagster community", once per browser
    if skip.count():
        skip.first.click()
        skip.first.wait_for(state="hidden")


def _settle(page, timeout: float = 30_000) -> None:
    """Wait for the page's requests to end: the UI polls, so on a busy machine they may not."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=timeout)


def _published_rows(publish_dir: Path) -> dict[str, int]:
    with duckdb.connect(str(publish_dir / "kpi.duckdb"), read_only=True) as con:
        return {t.name: con.execute(f'select count(*) from "{t.name}"').fetchone()[0] for t in PUBLISHED_TABLES}


def test_the_launched_run_is_on_the_jobs_runs_tab(page, ui):
    _open(page, ui, f"/locations/{LOCATION}/jobs/refresh_all/runs", ui.run_id[:8])
    text = page.inner_text("body")
    assert ui.run_id[:8] in text and "Success" in text
    page.screenshot(path=str(ARTIFACTS / "ui-job-runs.png"))


def test_the_run_says_what_it_used(ui):
    """The run's tags: as_of_date (the date the run derived), source directory, engine."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(Path(ui.publish_dir).parent / "dagster_home")) as instance:
        tags = instance.get_run_by_id(ui.run_id).tags
    manifest_date = _published_as_of_date(ui.publish_dir)
    assert tags["kpi/as_of_date"] == manifest_date
    assert tags["kpi/source_dir"] == str(ui.publish_dir.parent / "sources")
    assert tags["kpi/engine"] == "duckdb"


def _published_as_of_date(publish_dir: Path) -> str:
    import json

    return json.loads((publish_dir / "manifest.json").read_text())["as_of_date"]


def test_a_make_run_run_is_on_the_jobs_runs_tab(page, ui):
    env = {**os.environ, "DAGSTER_HOME": str(ui.publish_dir.parent / "dagster_home"),
           "KPI_SOURCE_DIR": str(ui.publish_dir.parent / "sources"),
           "KPI_WAREHOUSE": str(ui.publish_dir.parent / "warehouse.duckdb"), "KPI_PUBLISH_DIR": str(ui.publish_dir)}
    done = subprocess.run([sys.executable, "-m", "dagster_project.run"], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.split()[1]  # "run <id> of refresh_all; full event log: ..."
    _open(page, ui, f"/locations/{LOCATION}/jobs/refresh_all/runs", run_id[:8])
    page.screenshot(path=str(ARTIFACTS / "ui-job-runs-make-run.png"))


def test_a_mart_page_lists_every_column_with_its_type_and_description_and_the_row_count(page, ui):
    _open(page, ui, f"/assets/marts/{MART.name}", "Columns")
    columns = page.locator("table").filter(has_text="Column name")
    columns.first.wait_for()
    rows = {}
    for row in columns.first.locator("tbody tr").all():
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        rows[cells[0]] = cells
    assert list(rows) == [c.name for c in MART.columns]
    for column in MART.columns:
        type_, description = rows[column.name][1:3]
        assert type_.split()[0] == column.type, column.name
        assert description == column.description, column.name
    expected = _published_rows(ui.publish_dir)[MART.name]
    text = page.inner_text("body")
    assert f"Row count\n{expected:,}" in text or f"Row count\n{expected}" in text
    assert str(ui.publish_dir / "parquet" / f"{MART.name}.parquet") in text  # its storage
    assert "unserializable" not in text
    page.screenshot(path=str(ARTIFACTS / "ui-mart.png"))


def _metadata(page) -> dict[str, str]:
    """The asset page's metadata table: key -> value as shown."""
    table = page.locator("table").filter(has_text="Key").first
    cells = ([c.inner_text().strip() for c in row.locator("td").all()] for row in table.locator("tbody tr").all())
    return {row[0]: row[-1] for row in cells if len(row) >= 2}


def test_the_publication_page_shows_each_tables_row_count(page, ui):
    _open(page, ui, "/assets/published/kpi_publication", "rows/hub_costs")
    shown = _metadata(page)
    assert {key: value.replace(",", "") for key, value in shown.items() if key.startswith("rows/")} == {
        f"rows/{table}": str(rows) for table, rows in _published_rows(ui.publish_dir).items()}
    assert shown["as_of_date"] == _published_as_of_date(ui.publish_dir)
    assert "unserializable" not in page.inner_text("body")
    page.get_by_text(f"rows/{PUBLISHED_TABLES[-1].name}").scroll_into_view_if_needed()  # every count in view
    page.screenshot(path=str(ARTIFACTS / "ui-publication.png"))


def test_the_freshness_policy_passes_after_the_run(page, ui):
    def passing():
        page.goto(ui.url + "/assets/published/kpi_publication")
        page.get_by_text("Freshness policy").first.wait_for(timeout=60_000)
        _settle(page, 10_000)
        return "Freshness policy\nPassing" in page.inner_text("body")

    wait_until(passing, 180, "the freshness policy passing", interval=5)
    page.get_by_text("Freshness").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "ui-freshness.png"))


def test_ctrl_c_stops_the_ui_and_its_code_servers_within_seconds(ui):
    services = psutil.Process(ui.process.pid).children(recursive=True)
    assert len(services) >= 4  # webserver, daemon, a code server for each
    started = time.monotonic()
    ui.process.send_signal(signal.SIGINT)
    ui.process.wait(timeout=60)
    seconds = time.monotonic() - started
    (ARTIFACTS / "shutdown-seconds.txt").write_text(f"{seconds:.1f}\n")
    left = [p for p in services if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert ui.process.returncode == 0
    assert seconds < SHUTDOWN_SECONDS, f"shutdown took {seconds:.1f} s"
    assert left == [], [p.cmdline() for p in left]
