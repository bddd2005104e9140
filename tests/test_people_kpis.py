"""People KPIs end to end on a hand-built case (tests/fixtures/people_case), every expected
number worked out by hand below. as_of_date = 2024-12-31, min_group_size = 4.

The people (employees unless said):
  A  H1 from 2023-01-01, DATA_SCIENTIST
  B  H1 from 2023-01-01, SOFTWARE_ENGINEER, part-time 0.5
  C  H1 from 2023-01-01, SOLUTION_OWNER; EXIT 2024-01-31 (a month end, voluntary, regretted);
     REHIRE 2024-06-10 as DATA_ENGINEER (a new spell)
  D  H1 from 2023-01-01, DATA_ARCHITECT; TRANSFER to H2 on 2024-04-01
  E  HIRE and EXIT the same day, 2024-05-06 (OTHER)
  F  H1 from 2023-01-01, DATA_ANALYST; EXIT 2025-01-15, after as_of_date: ignored
  G  CONTRACTOR in H1 from 2023-06-01
  H  HUB_LEAD of H2, which opens on 2024-03-15
  I  H1 from 2023-01-01, MLOPS_ENGINEER; EXIT 2024-02-29 (a leap day, involuntary)
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.output_contract import PUBLISHED_TABLES
from tests.conftest import run_pipeline

CASE = Path(__file__).parent / "fixtures" / "people_case"


@pytest.fixture(scope="module")
def marts(dbt_manifest, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("people") / "warehouse.duckdb"
    result = run_pipeline(CASE, warehouse, KPI_AS_OF_DATE="2024-12-31", KPI_MIN_GROUP_SIZE="4")
    assert result.success
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def row(con, table: str, where: str) -> dict:
    cursor = con.execute(f"select * from marts.{table} where {where}")
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1, f"{table} where {where}: {len(rows)} rows"
    return dict(zip(names, rows[0], strict=True))


def test_hub_months_span_opening_to_as_of_month(marts):
    counts = dict(marts.execute("select hub_id, count(*) from marts.hub_critical_mass group by 1").fetchall())
    assert counts == {"H1": 24, "H2": 10}  # 2023-01..2024-12 and 2024-03..2024-12


@pytest.mark.parametrize("month, headcount, status", [
    ("2023-01-01", 6, "MET"),      # A B C D F I; target 5
    ("2024-01-01", 5, "MET"),      # C leaves on 01-31, the month's last day: not counted at its close
    ("2024-02-01", 4, "AT_RISK"),  # I leaves on the leap day; 4 >= 0.8 x 5
    ("2024-04-01", 3, "BELOW"),    # D moved to H2 on 04-01
    ("2024-05-01", 3, "BELOW"),    # E hired and gone the same day: never in headcount
    ("2024-06-01", 4, "AT_RISK"),  # C rehired on 06-10
    ("2024-12-01", 4, "AT_RISK"),  # F's exit on 2025-01-15 is after as_of_date
])
def test_month_end_headcount(marts, month, headcount, status):
    r = row(marts, "hub_critical_mass", f"hub_id = 'H1' and month = '{month}'")
    assert (r["headcount"], r["critical_mass_status"], r["contractor_headcount"]) == \
        (headcount, status, 0 if month < "2023-06-01" else 1)


def test_mix_and_fte(marts):
    jan23 = row(marts, "hub_critical_mass", "hub_id = 'H1' and month = '2023-01-01'")
    # DS: A F; IT: B D I; BUSINESS: C  -> shares 2/6 3/6 1/6; fte 6 - 0.5 (B part-time)
    assert (jan23["headcount_data_science"], jan23["headcount_it"], jan23["headcount_business"]) == (2, 3, 1)
    assert jan23["fte"] == pytest.approx(5.5)
    assert jan23["blau_index"] == pytest.approx(1 - (4 + 9 + 1) / 36)  # 0.6111
    assert jan23["is_multidisciplinary"] is True  # 1/6 = 0.167 >= 0.15
    dec24 = row(marts, "hub_critical_mass", "hub_id = 'H1' and month = '2024-12-01'")
    # A F C (now DATA_ENGINEER) in DS, B in IT, nobody in BUSINESS
    assert (dec24["share_data_science"], dec24["share_it"], dec24["share_business"]) == (0.75, 0.25, 0.0)
    assert dec24["blau_index"] == pytest.approx(1 - 0.75**2 - 0.25**2)  # 0.375
    assert dec24["fte"] == pytest.approx(3.5)
    assert dec24["is_multidisciplinary"] is False
    assert dec24["critical_mass_target"] == 5
    h2 = row(marts, "hub_critical_mass", "hub_id = 'H2' and month = '2024-12-01'")
    assert (h2["headcount"], h2["critical_mass_target"], h2["critical_mass_status"]) == (2, 30, "BELOW")


@pytest.mark.parametrize("hub, month, flows", [
    # opening, hires, transfers_in, exits, transfers_out, closing
    ("H1", "2023-01-01", (0, 6, 0, 0, 0, 6)),  # the contractor G is in no flow
    ("H1", "2024-01-01", (6, 0, 0, 1, 0, 5)),
    ("H1", "2024-02-01", (5, 0, 0, 1, 0, 4)),
    ("H1", "2024-04-01", (4, 0, 0, 0, 1, 3)),  # a transfer is not an exit
    ("H1", "2024-05-01", (3, 1, 0, 1, 0, 3)),  # same-day hire and exit
    ("H1", "2024-06-01", (3, 1, 0, 0, 0, 4)),  # the rehire is a hire
    ("H2", "2024-03-01", (0, 1, 0, 0, 0, 1)),
    ("H2", "2024-04-01", (1, 0, 1, 0, 0, 2)),
])
def test_headcount_bridge(marts, hub, month, flows):
    r = row(marts, "hub_headcount_bridge", f"hub_id = '{hub}' and month = '{month}'")
    columns = ("opening_headcount", "hires", "transfers_in", "exits", "transfers_out", "closing_headcount")
    assert tuple(r[c] for c in columns) == flows


def test_no_published_table_but_exit_reasons_splits_exits_by_reason(marts):
    reason_words = ("voluntary", "involuntary", "regretted", "other_exits", "exit_type", "suppress")
    for table in (t.name for t in PUBLISHED_TABLES if t.name != "exit_reasons"):
        columns = [d[0] for d in marts.execute(f"select * from marts.{table} limit 0").description]
        assert not [c for c in columns if any(w in c for w in reason_words)], table


def test_retention_and_attrition_over_a_leap_year(marts):
    r = row(marts, "hub_retention", "hub_id = 'H1' and month = '2024-12-01'")
    assert (str(r["window_start"]), str(r["window_end"])) == ("2024-01-01", "2024-12-31")
    # present at the close of 2023-12-31: A B C D F I
    assert r["opening_headcount"] == 6
    # still employed in the same spell on 2024-12-31: A B D F (C's rehire is a new spell; I left)
    assert r["retained_in_company"] == 4 and r["retention_rate"] == pytest.approx(4 / 6)
    # still in H1: A B F (D moved to H2)
    assert r["retained_in_hub"] == 3 and r["hub_retention_rate"] == pytest.approx(0.5)
    # exits dated in 2024 from H1: C, I, E
    assert r["exits_12m"] == 3
    # daily headcount over 366 days: 30 days x 6 (Jan 1-30), 29 x 5 (Jan 31-Feb 28),
    # 32 x 4 (Feb 29-Mar 31), 70 x 3 (Apr 1-Jun 9), 205 x 4 (Jun 10-Dec 31) = 1483
    assert r["avg_headcount_12m"] == pytest.approx(1483 / 366)
    assert r["attrition_rate_12m"] == pytest.approx(3 / (1483 / 366))
    assert r["is_full_window"] is True


def test_first_year_attrition(marts):
    # cohort of H1 2024-12: hires dated 2023-01-01 .. 2023-12-31 = A B C D F I (G is a contractor);
    # C left after 395 days (2023-01-01 -> 2024-01-31), I after 424: no first-year exit
    r = row(marts, "hub_retention", "hub_id = 'H1' and month = '2024-12-01'")
    assert (r["first_year_cohort"], r["first_year_exits"], r["first_year_attrition_rate"]) == (6, 0, 0.0)
    # H1 2024-01: cohort months 2022-02 .. 2023-01 = the same six hires, observed until 2024-01-31
    r = row(marts, "hub_retention", "hub_id = 'H1' and month = '2024-01-01'")
    assert (r["first_year_cohort"], r["first_year_exits"]) == (6, 0)
    # H1 2023-12: cohort months 2022-01 .. 2022-12: nobody hired yet -> rate NULL, not 0
    r = row(marts, "hub_retention", "hub_id = 'H1' and month = '2023-12-01'")
    assert (r["first_year_cohort"], r["first_year_attrition_rate"]) == (0, None)
    # the company: H2's only hire (H, 2024-03-15) is in no cohort by 2024-12 either
    company = row(marts, "company_scorecard", "month = '2024-12-01'")
    assert company["first_year_attrition_rate"] == 0.0


def test_hub_opened_inside_the_window_shows_its_rates(marts):
    r = row(marts, "hub_retention", "hub_id = 'H2' and month = '2024-12-01'")
    assert r["is_full_window"] is False  # opened 2024-03-15 > window_start 2024-01-01
    # nobody at the close of 2023-12-31: retention has no denominator (NULL, not hidden)
    assert r["opening_headcount"] == 0 and r["retention_rate"] is None
    # daily headcount: 1 from 03-15 to 03-31 (17 days), 2 from 04-01 (275 days) -> 567 / 366
    assert r["avg_headcount_12m"] == pytest.approx(567 / 366)
    assert (r["exits_12m"], r["attrition_rate_12m"]) == (0, 0.0)  # a small sample, shown


def test_small_populations_are_shown_not_hidden(marts):
    # H1 2024-11 has 4 people on average (min_group_size 4): before, its rates were suppressed;
    # people facts are public now, each rate beside its denominator
    r = row(marts, "hub_retention", "hub_id = 'H1' and month = '2024-11-01'")
    assert r["opening_headcount"] == 6 and r["retention_rate"] is not None
    # 2023-06: window 2022-07..2023-06, opening at 2022-06-30 = 0: retention has no denominator
    r = row(marts, "hub_retention", "hub_id = 'H1' and month = '2023-06-01'")
    assert r["retention_rate"] is None and r["exits_12m"] == 0 and r["attrition_rate_12m"] == 0.0


def test_exit_reasons_of_the_case_are_all_small(marts):
    rows = marts.execute("select scope, period_type, cast(period_start as varchar), exits, voluntary_exits, "
                         "suppression from marts.exit_reasons").fetchall()
    by_key = {r[:3]: r[3:] for r in rows}
    # H1 and COMPANY: 2023 Q1-Q4 + YEAR, 2024 Q1-Q4 + YEAR; H2 (opened 2024-03-15): 2024 only
    assert len(rows) == 10 + 10 + 5
    # 2024 exits of H1 (all the company's): Q1 C and I, Q2 E; F's is after as_of_date
    for scope in ("H1", "COMPANY"):
        assert by_key[(scope, "QUARTER", "2024-01-01")] == (2, None, "PRIMARY")  # 2 < min_group_size 4
        assert by_key[(scope, "QUARTER", "2024-04-01")] == (1, None, "PRIMARY")
        assert by_key[(scope, "YEAR", "2024-01-01")] == (3, None, "PRIMARY")
        assert by_key[(scope, "QUARTER", "2024-07-01")] == (0, 0, None)  # nobody left: nothing to hide
    # daily average of H1 in 2024-Q1 (91 days): 30 x 6 + 29 x 5 + 32 x 4 = 453
    average = marts.execute("select avg_headcount from marts.exit_reasons where scope = 'H1' "
                            "and period_type = 'QUARTER' and period_start = '2024-01-01'").fetchall()[0][0]
    assert average == pytest.approx(453 / 91)


def test_talent_staffing(marts):
    r = row(marts, "talent_staffing", "hub_id = 'H1' and month = '2024-12-01'")
    # members at month end: A B C F; December BUILD+RUN hours A 10, B 4, C 8 (>= 8: A and C)
    assert (r["headcount"], r["staffed_headcount"]) == (4, 2)
    # employees' hours: BUILD+RUN 10 + 4 + 8 = 22; non-LEAVE 40 + 20 + 8 = 68 (contractor G excluded)
    assert r["staffing_rate"] == pytest.approx(22 / 68)
    # solutions with >= 8 h in 2024: A {S1}, B {}, C {S2, S1}, F {} -> (1 + 0 + 2 + 0) / 4
    assert r["solutions_per_talent_12m"] == pytest.approx(0.75)
    # hires into H1 in 2024: E, C; only C was staffed: first BUILD week 06-17 - rehire 06-10 = 7 days
    assert (r["new_hires_12m"], r["median_days_to_first_staffing"]) == (2, 7)
    h2 = row(marts, "talent_staffing", "hub_id = 'H2' and month = '2024-12-01'")
    assert (h2["headcount"], h2["staffed_headcount"], h2["staffing_rate"], h2["new_hires_12m"]) == (2, 0, None, 1)


@pytest.mark.parametrize("hub, month, staffing_rate", [
    ("H2", "2024-11-01", 0.0),   # a ramp-up month: D logged 40 h of TRAINING, none on solutions -> 0 / 40
    ("H2", "2024-12-01", None),  # no hours logged at all -> no rate
    ("H1", "2024-11-01", None),  # no hours logged at all -> no rate
    ("H1", "2024-06-01", 1.0),   # C's 8 BUILD hours are all of the month's hours -> 8 / 8
])
def test_staffing_rate_is_zero_in_a_ramp_up_month_and_null_only_without_hours(marts, hub, month, staffing_rate):
    assert row(marts, "talent_staffing", f"hub_id = '{hub}' and month = '{month}'")["staffing_rate"] == staffing_rate


@pytest.mark.parametrize("quarter, expected", [
    # opened, filled, cancelled, open at quarter end, median days to fill
    ("2024-01-01", (3, 1, 0, 2, 41)),    # R1 R2 R3 opened; R1 filled in 41 days; R2 R3 open on 03-31
    ("2024-04-01", (2, 2, 1, 1, 60.5)),  # R5 (90 d) R6 (31 d) filled, R2 cancelled; R3 open
    ("2024-07-01", (0, 0, 0, 1, None)),
    ("2024-10-01", (1, 0, 0, 2, None)),  # R4 is filled on 2025-01-10, after as_of_date: open
])
def test_recruiting(marts, quarter, expected):
    r = row(marts, "recruiting", f"hub_id = 'H1' and quarter = '{quarter}'")
    columns = ("requisitions_opened", "requisitions_filled", "requisitions_cancelled", "open_at_quarter_end",
               "median_days_to_fill")
    assert tuple(r[c] for c in columns) == expected
    quarters = marts.execute("select count(*) from marts.recruiting where hub_id = 'H1'").fetchall()[0][0]
    assert quarters == 8  # 2023-Q1 (opening) .. 2024-Q4
