"""The report in a real browser: headless Chromium (Debian's package, /usr/bin/chromium, which
`make test` installs where missing) driven by Playwright, offline.

Run on the hand-made publication of tests/report_case.py and on the demo run through the whole
pipeline. The figures are read back from the page and compared with the published tables read
here directly with DuckDB (not through dagster_project.report). Full-page screenshots are saved
in the test's tmp_path (the path is printed; `pytest -s` shows it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import statistics
from pathlib import Path

import duckdb
import pytest

from dagster_project.report import build_report
from dagster_project.report.fmt import fmt_days, fmt_eur, fmt_int, fmt_pct
from tests.report_case import write_publication

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():  # a failure, never a skip: `make test` installs it (Makefile)
        pytest.fail(f"{CHROMIUM} is missing: run the tests with `make test`, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(params=["case", "demo"])
def publication(request, tmp_path_factory) -> Path:
    if request.param == "case":
        return write_publication(tmp_path_factory.mktemp("report_browser") / "release")
    return request.getfixturevalue("demo_published") / "published"


class OpenedReport:
    """A page with the report loaded offline: every request that is not a file: URL is aborted and recorded."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport=DESKTOP)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.requested: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requested.append(r.url))
        self.context.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def _route(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()

    def charts_without_marks(self) -> list[str]:
        return self.page.evaluate("""() => [...document.querySelectorAll('.chart')]
            .filter(c => c.querySelectorAll('svg .mark').length === 0).map(c => c.id)""")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.context.close()


def _published(publish_dir: Path) -> dict:
    """The executive summary's figures, read here from the Parquet files with DuckDB."""
    manifest = json.loads((publish_dir / "manifest.json").read_text())
    as_of = dt.date.fromisoformat(manifest["as_of_date"])
    with contextlib.closing(duckdb.connect()) as con:
        def q(sql, *params):
            return con.execute(sql.replace("{p}", str(publish_dir / "parquet")), list(params)).fetchall()

        [(month,)] = q("select max(month) from '{p}/company_scorecard.parquet'")
        year_ago = dt.date(month.year - 1, month.month, 1)
        [card] = q("select hubs_open, hubs_at_critical_mass, headcount, retention_rate_12m, attrition_rate_12m, "
                   "industrialization_rate, adopted_share, cost_per_production_solution_eur "
                   "from '{p}/company_scorecard.parquet' where month = ?", month)
        [(ytd,)] = q("select sum(total_cost_eur) from '{p}/company_scorecard.parquet' "
                     "where year(month) = ? and month <= ?", month.year, month)
        [(variance, budget)] = q("select sum(ytd_budget_variance_eur), sum(ytd_budget_eur) "
                                 "from '{p}/hub_costs.parquet' where month = ? and ytd_budget_eur is not null", month)
        company_years = q("select regretted_attrition_rate, is_suppressed, suppression from '{p}/exit_reasons.parquet' "
                          "where scope = 'COMPANY' and period_type = 'YEAR' order by period_start")
        days = [d for (d,) in q("select days_poc_to_production from '{p}/solution_lifecycle.parquet' "
                                "where first_production_on > ? and first_production_on <= ?",
                                as_of.replace(year=as_of.year - 1), as_of)]
    hubs_open, met, headcount, retention, attrition, industrialization, adopted, per_solution = card
    figures = {
        "hubs_at_critical_mass": (met, f"{met} of {hubs_open}"),
        "headcount": (headcount, f"{fmt_int(headcount)} people"),
        "retention_rate_12m": (retention, fmt_pct(retention)),
        "attrition_rate_12m": (attrition, fmt_pct(attrition)),
        "industrialization_rate": (industrialization, fmt_pct(industrialization)),
        "adopted_share": (adopted, fmt_pct(adopted)),
        "cost_per_production_solution_eur": (per_solution, fmt_eur(per_solution)),
        "total_cost_ytd_eur": (ytd, fmt_eur(ytd)),
        "median_days_poc_to_production": ((statistics.median(days), fmt_days(statistics.median(days))) if days
                                          else (None, "n/a")),
    }
    if budget:
        figures["ytd_budget_variance_pct"] = (variance / budget,
                                              ("+" if variance >= 0 else "−") + fmt_pct(abs(variance / budget)))
    regretted = company_years[-1] if company_years else None
    return {"as_of_date": manifest["as_of_date"], "figures": figures, "regretted": regretted, "year_ago": year_ago}


def test_the_report_opens_offline_and_shows_the_published_figures(browser, publication, tmp_path):
    with OpenedReport(browser, build_report(publication)) as opened:
        page = opened.page
        shot = tmp_path / f"report-{publication.parent.name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot: {shot}")

        assert opened.errors == []
        assert opened.remote == [] and all(u.startswith("file:") for u in opened.requested)
        assert opened.charts_without_marks() == []
        assert page.locator(".chart").count() >= 13 and page.locator("#spark-headcount svg .mark").count() == 1

        expected = _published(publication)
        assert page.locator("#as-of-date").inner_text() == expected["as_of_date"]
        for key, (value, text) in expected["figures"].items():
            card = page.locator(f'article.kpi[data-kpi="{key}"]')
            shown = card.get_attribute("data-value")
            assert (float(shown) if shown else None) == pytest.approx(value, rel=1e-9), key
            assert card.locator(".value").inner_text().startswith(text), key
        regretted = page.locator('article.kpi[data-kpi="regretted_attrition_rate"]')
        rate, suppressed, reason = expected["regretted"]
        if suppressed:
            assert regretted.get_attribute("data-suppressed") == reason
            assert regretted.locator(".value").inner_text() == "suppressed"
        else:
            assert float(regretted.get_attribute("data-value")) == pytest.approx(rate)
            assert regretted.locator(".value").inner_text() == fmt_pct(rate)


def test_suppressed_exit_reasons_show_as_suppressed_never_as_zero(browser, publication):
    with OpenedReport(browser, build_report(publication)) as opened:
        page = opened.page
        page.select_option("#filter-period", "all")
        with contextlib.closing(duckdb.connect()) as con:
            rows = con.execute("select scope, period_type, period_start, voluntary_exits, involuntary_exits, "
                               "other_exits, regretted_exits, is_suppressed, suppression from read_parquet(?)",
                               [str(publication / "parquet" / "exit_reasons.parquet")]).fetchall()
        suppressed_seen = 0
        for scope in sorted({r[0] for r in rows}):
            page.select_option("#filter-hub", "ALL" if scope == "COMPANY" else scope)
            for _, kind, start, *counts, is_suppressed, reason in (r for r in rows if r[0] == scope):
                cells = page.locator(f'#table-exits tr[data-period="{kind}:{start}"] td')
                texts = cells.all_inner_texts()[2:]
                if is_suppressed:
                    suppressed_seen += 1
                    assert texts == [f"suppressed ({reason.lower()})"] * 4
                    marked = page.locator(f'#table-exits tr[data-period="{kind}:{start}"] '
                                          f'td[data-suppressed="{reason}"]')
                    assert marked.count() == 4
                else:
                    assert texts == [fmt_int(c) for c in counts]
        assert suppressed_seen > 0
        assert opened.errors == []


def test_every_hub_and_period_redraws_without_errors(browser, publication):
    with OpenedReport(browser, build_report(publication)) as opened:
        page = opened.page
        hubs = page.eval_on_selector_all("#filter-hub option", "os => os.map(o => o.value)")
        for hub in hubs:
            page.select_option("#filter-hub", hub)
            for period in ("12", "24", "36", "all"):
                page.select_option("#filter-period", period)
                assert page.locator("#chart-headcount svg .mark").count() > 0, (hub, period)
        assert len(hubs) > 1 and opened.errors == [] and opened.remote == []
