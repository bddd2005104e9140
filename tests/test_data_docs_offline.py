"""The GX Data Docs of a publication render styled offline (validation/offline_docs.py).

A real GX validation of a small DuckDB table (one rule passes, one fails) writes its Data Docs
page, publish.copy_data_docs copies it into a release as the pipeline does, and headless
Chromium (Debian's, through Playwright) opens it with every non-file request aborted and
recorded: none may be attempted, Bootstrap's and Font Awesome's styles must apply and jQuery
with Bootstrap's plug-ins must load. The same page without its static/ folder is the control:
the style checks fail on it, so they measure the bundle, not the browser's defaults.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path

import duckdb

from dagster_project.publish import copy_data_docs
from dagster_project.validation.offline_docs import STATIC, _package_dir
from dagster_project.validation.runner import validate
from tests import test_report_browser as report_browser

browser = report_browser.browser  # the module's headless-Chromium fixture

SUITE = {
    "name": "marts.shares",
    "meta": {"table": "marts.shares", "primary_key": ["id"]},
    "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}, "severity": "critical",
         "meta": {"rule": "id_not_null", "description": "every row has an id"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "share", "min_value": 0, "max_value": 1},
         "severity": "critical", "meta": {"rule": "share_in_range", "description": "a share lies in [0, 1]"}},
    ],
}

STYLE_PROBE = """() => {
  const style = (selector, property) => {
    const element = document.querySelector(selector);
    return element ? getComputedStyle(element)[property] : null;
  };
  const icon = document.querySelector('.fa-check-circle, .fa-times');
  return {
    badge_background: style('.badge-secondary', 'backgroundColor'),
    table_collapse: style('table.table', 'borderCollapse'),
    icon_font: icon ? getComputedStyle(icon, '::before').fontFamily : null,
    icon_font_loaded: document.fonts.check('900 16px "Font Awesome 6 Free"'),
    jquery: typeof window.jQuery === 'function',
    bootstrap_js: typeof window.jQuery === 'function' && typeof window.jQuery.fn.collapse === 'function',
  };
}"""


def published_docs(tmp_path: Path) -> Path:
    """The Data Docs page of a real validation, copied into a release as publish does."""
    warehouse = tmp_path / "warehouse.duckdb"
    with contextlib.closing(duckdb.connect(str(warehouse))) as con:
        con.execute("create schema marts")
        con.execute("create table marts.shares as select * from (values (1, 0.2), (2, 0.9), (3, 1.5)) t(id, share)")
    (result,) = validate(warehouse, [SUITE], tmp_path / "validation_docs")
    assert [f.rule for f in result.failures] == ["share_in_range"]
    copy_data_docs(tmp_path / "validation_docs", tmp_path / "release")
    return tmp_path / "release" / "data_docs" / f"{SUITE['name']}.html"


def probe(browser, page_path: Path, screenshot: Path) -> tuple[dict, list[str], list[str]]:
    """The style probe's answers, the non-file requests attempted, the page's errors."""
    with report_browser.OpenedReport(browser, page_path) as opened:
        opened.page.evaluate("() => document.fonts.ready.then(() => true)")
        styles = opened.page.evaluate(STYLE_PROBE)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        opened.page.screenshot(path=str(screenshot), full_page=True)
        print(f"\nscreenshot: {screenshot}")
        return styles, opened.remote, opened.errors


def test_gx_templates_load_from_cdns():
    """What the bundle replaces: GX's own page template links its CSS to a CDN."""
    template = (_package_dir("great_expectations.render.view") / "templates" / "page.j2").read_text()
    assert re.search(r'<link rel="stylesheet" href="https://[^"]*bootstrap[^"]*\.css"', template)


def test_published_data_docs_render_styled_offline(browser, tmp_path):
    page = published_docs(tmp_path)
    html = page.read_text()
    assert "1 unexpected values found" in html  # the page of this validation: 1.5 is out of [0, 1]
    loaded = re.findall(r'<(?:link|script)\b[^>]*?(?:href|src)="([^"]+)"', html)
    assert loaded and not [u for u in loaded if re.match(r"[a-z]+:", u)], loaded
    missing = [u for u in loaded if not (page.parent / u).is_file()]
    assert not missing, f"linked but not published: {missing}"
    assert "integrity=" not in html  # a CDN hash would block the bundled build

    styles, remote, errors = probe(browser, page, tmp_path / "data_docs.png")
    assert remote == [], f"the page tried the network: {remote}"
    assert errors == [], errors
    assert styles["badge_background"] == "rgb(108, 117, 125)"  # Bootstrap 4's $secondary
    assert styles["table_collapse"] == "collapse"
    assert "Font Awesome 6 Free" in styles["icon_font"] and styles["icon_font_loaded"]
    assert styles["jquery"] and styles["bootstrap_js"]

    shutil.rmtree(page.parent / STATIC)  # the control: the same page without its bundle
    bare, remote, _ = probe(browser, page, tmp_path / "data_docs_without_static.png")
    assert remote == []
    assert bare["badge_background"] != styles["badge_background"]
    assert bare["table_collapse"] != "collapse"
    assert not bare["jquery"]


def test_the_demo_publication_data_docs_render_styled_offline(browser, demo_published, tmp_path):
    """The pages the pipeline itself published (the checks write them, publish copies them)."""
    docs = demo_published / "published" / "data_docs"
    pages = sorted(p for p in docs.glob("*.html") if p.name != "index.html")
    assert len(pages) >= 20 and (docs / STATIC / "bootstrap.min.css").is_file()
    assert not [p.name for p in pages if re.search(r'<(?:link|script)\b[^>]*?(?:href|src)="https?:', p.read_text())]
    styles, remote, errors = probe(browser, docs / "marts.hub_costs.html", tmp_path / "hub_costs.png")
    assert remote == [] and errors == []
    assert styles["table_collapse"] == "collapse" and styles["icon_font_loaded"] and styles["bootstrap_js"]
