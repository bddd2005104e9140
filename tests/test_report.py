"""The HTML report (dagster_project/report): its figures against the hand-made publication of
tests/report_case.py, and the file it writes. The browser test is tests/test_report_browser.py."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from dagster_project.report import build_report
from dagster_project.report.__main__ import main
from dagster_project.report.data import ReportDataError, read_publication
from dagster_project.report.payload import stuck_pocs
from dagster_project.report.story import executive_summary
from tests.report_case import write_publication


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return write_publication(tmp_path_factory.mktemp("report_case") / "release")


@pytest.fixture(scope="module")
def figures(case):
    return {f.key: f for f in executive_summary(read_publication(case))}


def test_the_executive_summary_matches_the_figures_worked_out_by_hand(figures):
    expected = {  # key: (value, text, previous, direction, is_good) -- see tests/report_case.py
        "hubs_at_critical_mass": (1, "1 of 2", 1, "flat", None),
        "headcount": (40, "40 people", 30, "up", True),
        "retention_rate_12m": (0.9, "90.0 %", 0.8, "up", True),
        "attrition_rate_12m": (0.1, "10.0 %", 0.2, "down", True),
        "regretted_attrition_rate": (0.05, "5.0 %", None, None, None),
        "industrialization_rate": (0.6, "60.0 %", 0.5, "up", True),
        "median_days_poc_to_production": (274, "274 days", 223, "up", False),
        "adopted_share": (0.5, "50.0 %", 0.25, "up", True),
        "total_cost_ytd_eur": (280_000, "EUR 280.0 k", 225_000, "up", None),
        "cost_per_production_solution_eur": (25_000, "EUR 25.0 k", 40_000, "down", True),
        "ytd_budget_variance_pct": (10_000 / 270_000, "+3.7 %", -0.05, "up", False),
    }
    assert list(figures) == list(expected)
    for key, (value, text, previous, direction, good) in expected.items():
        f = figures[key]
        assert (f.value, f.text, f.previous, f.direction, f.is_good) == (pytest.approx(value), text,
                                                                          pytest.approx(previous), direction, good), key


def test_each_figure_says_it_in_a_sentence(figures):
    assert figures["hubs_at_critical_mass"].sentence == (
        "1 of 2 hubs at critical mass (0 at risk, 1 below); Beta Hub has been below for 15 months.")
    assert figures["headcount"].sentence == (
        "40 employees in the hubs at the end of March 2025, +10 in 12 months (+33.3 %).")
    assert "of the 32 people in a hub twelve months ago" in figures["retention_rate_12m"].sentence
    assert figures["attrition_rate_12m"].sentence.startswith("4 exits in the last 12 months")
    assert figures["regretted_attrition_rate"].label == "Regretted attrition 2024"
    assert figures["regretted_attrition_rate"].sentence == (
        "2 of 6 leavers in 2024 were regretted, 5.0 % of the average headcount (2023 suppressed).")
    assert "3 of 5 POCs" in figures["industrialization_rate"].sentence
    assert "within 365 days" in figures["industrialization_rate"].sentence
    assert "for the 3 solutions that went live in the last 12 months (223 days a year earlier)" in \
        figures["median_days_poc_to_production"].sentence
    assert figures["adopted_share"].sentence.startswith(
        "2 of 4 production solutions with a target reach at least 50.0 %")
    assert "+24.4 % on the same months of 2024" in figures["total_cost_ytd_eur"].sentence
    assert figures["ytd_budget_variance_pct"].sentence.startswith("EUR 10.0 k over budget")
    assert "1 of 2 hubs over budget (a year earlier −5.0 %)" in figures["ytd_budget_variance_pct"].sentence


def test_a_rate_over_fewer_than_min_group_size_is_a_small_sample_not_hidden(figures):
    days = figures["median_days_poc_to_production"]
    assert days.small_sample and days.value == 274  # three solutions: shown, marked
    assert not figures["retention_rate_12m"].small_sample  # 32 people


def test_regretted_attrition_comes_only_from_a_shown_company_year(case):
    pub = read_publication(case)
    rows = [dict(r) for r in pub.rows("exit_reasons")]
    for r in rows:
        if r["scope"] == "COMPANY" and r["period_type"] == "YEAR" and r["period_start"].year == 2024:
            r.update(is_suppressed=True, suppression="COMPLEMENTARY", regretted_exits=None,
                     regretted_attrition_rate=None)
    hidden = dataclasses.replace(pub, tables={**pub.tables, "exit_reasons": rows})
    [figure] = [f for f in executive_summary(hidden) if f.key == "regretted_attrition_rate"]
    assert (figure.value, figure.text, figure.suppressed) == (None, "suppressed", "COMPLEMENTARY")
    assert "suppressed (complementary)" in figure.sentence


def test_stuck_pocs_are_listed_longest_first(case):
    pocs = stuck_pocs(read_publication(case))
    assert [(p["solution_id"], p["hub"], p["days"], p["stuck"]) for p in pocs] == [
        ("S5", "Alpha Hub", 303, True), ("S6", "Beta Hub", 89, False)]


def test_the_report_is_one_file_with_nothing_to_fetch_and_no_person(case, tmp_path):
    path = build_report(case)
    assert path == case / "report" / "index.html"
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.I)  # no remote script, style, image
    assert not re.search(r"@import|url\(|<link\b|<img\b|<iframe\b", text, re.I)  # no stylesheet, font or image
    assert text.count("<script") == 2  # the data and the code, both inline
    assert "employee_id" not in text and "user_id" not in text
    assert '<table id="table-parameters" data-parameters="present">' in text
    assert "staff_line_without_solution" in text and "checks evaluated: <b>42</b>" in text
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S)
                      .group(1).replace("<\\/", "</"))
    assert data["as_of_date"] == "2025-03-31" and data["min_group_size"] == 5


def test_without_parameters_and_validation_in_the_manifest_it_says_not_recorded(tmp_path):
    case = write_publication(tmp_path / "release", {"parameters": None, "validation": None})
    text = build_report(case).read_text(encoding="utf-8")
    assert "KPI parameters: not recorded" in text and "Validation summary: not recorded" in text
    assert "5 (not recorded: the default)" in text  # small samples still marked, at the documented default
    figures = {f.key: f for f in executive_summary(read_publication(case))}
    assert "the industrialisation window" in figures["industrialization_rate"].sentence
    assert "their adoption threshold" in figures["adopted_share"].sentence


def test_the_cli_rebuilds_the_report_and_prints_its_path(case, capsys, tmp_path):
    assert main([str(case)]) == 0
    assert capsys.readouterr().out.strip() == str(case / "report" / "index.html")
    assert main([str(tmp_path)]) == 1
    assert "not a publication" in capsys.readouterr().err
    with pytest.raises(ReportDataError):
        build_report(tmp_path)
