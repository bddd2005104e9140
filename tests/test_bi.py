"""The BI app (bi/, Streamlit) renders the published tables in a browser.

Runs only where the app's own environment exists (`make bi-env` makes bi/.venv), so `make test`
installs nothing for it. It serves the app on the demo publication, opens the executive summary
and a hub page in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) and checks
that they show figures read here from the Parquet files, with no error on the page or in the
console and no request leaving the machine.

KPI_BI_SCREENSHOTS=docs keeps the two screenshots as docs/bi-index.png and docs/bi-hub.png.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
BI_DIR = ROOT / "bi"
STREAMLIT = BI_DIR / ".venv" / "bin" / "streamlit"
CHROMIUM = Path(os.environ.get("KPI_BI_CHROMIUM", "/usr/bin/chromium"))

pytestmark = pytest.mark.skipif(
    not STREAMLIT.exists(), reason="no BI environment: `make bi-env` makes bi/.venv"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def bi_server(demo_published, tmp_path_factory):
    """The app served on 127.0.0.1, reading the demo publication."""
    port = _free_port()
    log = tmp_path_factory.mktemp("bi") / "streamlit.log"
    env = {**os.environ, "KPI_PUBLISH_DIR": str(demo_published / "published")}
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(STREAMLIT), "run", "app.py", "--server.port", str(port)],
            cwd=BI_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, f"streamlit exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"streamlit did not start:\n{log.read_text()}"
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is not installed in .venv"
    )
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


def _expected(published: Path) -> dict:
    """The figures the pages must show, read from the publication itself."""
    parquet = published / "parquet"
    con = duckdb.connect()
    headcount, hubs_met, hubs_open = con.execute(
        f"select headcount, hubs_at_critical_mass, hubs_open from '{parquet}/company_scorecard.parquet' "
        "order by month desc limit 1"
    ).fetchone()
    # the smallest hub: the one a reader is most likely to open for its critical-mass status
    hub = con.execute(
        f"select hub_id, hub_name, headcount, critical_mass_target, critical_mass_status "
        f"from '{parquet}/hub_critical_mass.parquet' "
        f"where month = (select max(month) from '{parquet}/hub_critical_mass.parquet') "
        "order by headcount, hub_id limit 1"
    ).fetchone()
    return {
        "as_of_date": json.loads((published / "manifest.json").read_text())["as_of_date"],
        "headcount": f"{headcount:,}",
        "hubs_at_critical_mass": f"{hubs_met} of {hubs_open}",
        "hub_id": hub[0],
        "hub_name": hub[1],
        "hub_headcount_vs_target": f"{hub[2]} / {hub[3]}",
        "hub_status": hub[4],
    }


def _metric(page, label: str) -> tuple[str, str | None]:
    """The value (and delta) of the metric labelled ``label``."""
    metric = page.locator("[data-testid=stMetric]").filter(
        has=page.locator("[data-testid=stMetricLabel]", has_text=label)
    )
    assert metric.count() == 1, f"no single metric labelled {label!r}"
    delta = metric.locator("[data-testid=stMetricDelta]")
    return (
        metric.locator("[data-testid=stMetricValue]").inner_text().strip(),
        delta.inner_text().strip() if delta.count() else None,
    )


def _rendered(page, min_charts: int) -> None:
    """Wait until the script has run and every chart is drawn."""
    page.wait_for_selector("[data-testid=stMetric]", timeout=60_000)
    page.wait_for_function(
        """n => {
            const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')];
            return charts.length >= n && charts.every(c => c.querySelector('canvas, svg'))
                && !document.querySelector('[data-testid=stStatusWidget]');
        }""",
        arg=min_charts,
        timeout=60_000,
    )
    assert page.locator("[data-testid=stException]").count() == 0, page.inner_text("body")
    assert page.locator("[data-testid=stAlertContentError]").count() == 0, page.inner_text("body")


def _screenshot(page, path: Path) -> None:
    """The whole page: the main area scrolls inside the window, so the window is made as tall."""
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 40, 8000)})
    page.wait_for_timeout(1500)  # charts re-layout to the new size
    page.screenshot(path=str(path))


def test_bi_app_renders_the_publication(bi_server, browser, demo_published, tmp_path):
    expected = _expected(demo_published / "published")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((bi_server + "/", "data:", "blob:")) else None)
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)

    page.goto(bi_server + "/")
    _rendered(page, min_charts=4)
    body = page.inner_text("body")
    assert f"Figures as of {expected['as_of_date']}" in body
    assert _metric(page, "Headcount")[0] == expected["headcount"]
    assert _metric(page, "Hubs at critical mass")[0] == expected["hubs_at_critical_mass"]
    shots = tmp_path
    _screenshot(page, shots / "bi-index.png")

    # a reader follows the link to the hub's page (client-side navigation, as in the app)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.locator("[data-testid=stPageLink] a", has_text=expected["hub_name"]).click()
    page.wait_for_url(f"**/hub?hub_id={expected['hub_id']}", timeout=30_000)
    page.get_by_role("heading", name=expected["hub_name"]).wait_for(timeout=60_000)
    _rendered(page, min_charts=6)
    assert f"figures as of {expected['as_of_date']}" in page.inner_text("body")
    assert _metric(page, "Headcount vs target") == (expected["hub_headcount_vs_target"], expected["hub_status"])
    _screenshot(page, shots / "bi-hub.png")
    page.close()

    assert not outside, f"requests leaving the machine: {outside}"
    assert not errors, errors
    if os.environ.get("KPI_BI_SCREENSHOTS"):
        keep = ROOT / os.environ["KPI_BI_SCREENSHOTS"]
        for name in ("bi-index.png", "bi-hub.png"):
            shutil.copyfile(shots / name, keep / name)
