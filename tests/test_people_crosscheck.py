"""An independent recomputation of the people KPIs on the medium dataset, in plain pandas and
Python loops (day by day where the definition is daily), compared with the dbt marts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

AS_OF = dt.date(2026, 9, 30)  # the generator's last day; no override: derived by the pipeline
RANK = {"HIRE": 0, "REHIRE": 0, "TRANSFER": 1, "JOB_CHANGE": 1, "EXIT": 2}


def read(folder, relative: str) -> pd.DataFrame:
    path = next(folder.glob(f"{relative}.csv*"))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def people(medium_dir):
    """(intervals, exits, hires): employees' hub intervals [start, end) at close of day, exits,
    and hires with the end of the spell they open (None while employed)."""
    events = read(medium_dir, "hr/employment_events")
    workers = dict(read(medium_dir, "hr/employees")[["employee_id", "worker_type"]].values)
    events["date"] = pd.to_datetime(events["effective_date"]).dt.date
    events = events[events["date"] <= AS_OF]
    events["rank"] = events["event_type"].map(RANK)
    intervals, exits, hires = [], [], []
    for employee, group in events.sort_values(["employee_id", "date", "rank", "event_id"]).groupby("employee_id"):
        if workers[employee] != "EMPLOYEE":
            continue
        current = None  # (hub, start)
        for event in group.itertuples():
            if current is not None:
                intervals.append((current[0], current[1], event.date))
            if event.event_type == "EXIT":
                exits.append((current[0], event.date, event.exit_type, event.is_regretted == "true"))
                hires[-1][2] = event.date
                current = None
            else:
                if event.event_type in ("HIRE", "REHIRE"):
                    hires.append([event.hub_id, event.date, None])
                current = (event.hub_id, event.date)
        if current is not None:
            intervals.append((current[0], current[1], dt.date.max))
    return (pd.DataFrame(intervals, columns=["hub_id", "start", "end"]),
            pd.DataFrame(exits, columns=["hub_id", "date", "exit_type", "regretted"]),
            pd.DataFrame(hires, columns=["hub_id", "date", "spell_end"]))


def headcount_at_close(intervals: pd.DataFrame, hub: str, day: dt.date) -> int:
    mine = intervals[intervals["hub_id"] == hub]
    return int(((mine["start"] <= day) & (mine["end"] > day)).sum())


def test_month_end_headcount_of_every_hub_month(medium_marts, people):
    intervals, _, _ = people
    marts = medium_marts.execute("select hub_id, month, headcount from marts.hub_critical_mass").df()
    assert len(marts) > 500
    for row in marts.itertuples():
        month_end = (pd.Timestamp(row.month) + pd.offsets.MonthEnd(0)).date()
        assert row.headcount == headcount_at_close(intervals, row.hub_id, month_end), (row.hub_id, row.month)


def test_monthly_exits_of_every_hub_month(medium_marts, people):
    _, exits, _ = people
    bridge = medium_marts.execute("select hub_id, month, exits from marts.hub_headcount_bridge").df()
    exits["month"] = pd.to_datetime(exits["date"]).dt.to_period("M").dt.to_timestamp()
    expected = exits.groupby(["hub_id", "month"]).agg(expected_exits=("date", "size")).reset_index()
    merged = bridge.merge(expected, on=["hub_id", "month"], how="left").fillna(0)
    assert merged["expected_exits"].sum() == len(exits) > 100  # every exit lands in a hub-month
    assert (merged["exits"] == merged["expected_exits"]).all()


def test_exit_reasons_of_every_shown_row(medium_marts, people):
    intervals, exits, _ = people
    mart = medium_marts.execute("select * from marts.exit_reasons").df()
    exits = exits.assign(date=pd.to_datetime(exits["date"]))
    shown = mart[~mart["is_suppressed"] & (mart["exits"] > 0)]
    assert len(shown) > 50 and mart["is_suppressed"].any()
    for row in mart.itertuples():
        start, end = pd.Timestamp(row.period_start), pd.Timestamp(row.period_end)
        mine = exits[(exits["date"] >= start) & (exits["date"] <= end)
                     & ((row.scope == "COMPANY") | (exits["hub_id"] == row.scope))]
        assert row.exits == len(mine), row
        if not row.is_suppressed:
            assert (row.voluntary_exits, row.involuntary_exits, row.other_exits, row.regretted_exits) == (
                (mine["exit_type"] == "VOLUNTARY").sum(), (mine["exit_type"] == "INVOLUNTARY").sum(),
                (mine["exit_type"] == "OTHER").sum(), mine["regretted"].sum()), row
    row = mart[(mart["scope"] == "H006") & (mart["period_type"] == "QUARTER")].iloc[-1]
    days = pd.date_range(row["period_start"], row["period_end"]).date
    assert row["avg_headcount"] == pytest.approx(np.mean([headcount_at_close(intervals, "H006", d) for d in days]))


@pytest.mark.parametrize("hub_index", [0, 5, 11])
@pytest.mark.parametrize("month", ["2025-06-01", "2026-09-01"])
def test_daily_average_headcount_and_attrition(medium_marts, people, hub_index, month):
    intervals, exits, hires = people
    hub = f"H{hub_index + 1:03d}"
    mart = medium_marts.execute(
        "select * from marts.hub_retention where hub_id = ? and month = ?", [hub, month]).df().iloc[0]
    window_start = (pd.Timestamp(month) - pd.DateOffset(months=11)).date()
    window_end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    days = [window_start + dt.timedelta(days=i) for i in range((window_end - window_start).days + 1)]
    average = np.mean([headcount_at_close(intervals, hub, day) for day in days])  # day by day
    in_window = exits[(exits["hub_id"] == hub) & (exits["date"] >= window_start) & (exits["date"] <= window_end)]
    assert mart["avg_headcount_12m"] == pytest.approx(average)
    assert mart["exits_12m"] == len(in_window)
    assert mart["attrition_rate_12m"] == pytest.approx(len(in_window) / average)
    # the population the retention rates start from
    opening_day = window_start - dt.timedelta(days=1)
    assert mart["opening_headcount"] == headcount_at_close(intervals, hub, opening_day)
    # first-year attrition: the hub's hires of the 12 months before the window, gone within 365 days
    cohort_start = (pd.Timestamp(month) - pd.DateOffset(months=23)).date()
    cohort = hires[(hires["hub_id"] == hub) & (hires["date"] >= cohort_start) & (hires["date"] < window_start)]
    left = sum(end is not None and (end - start).days < 365
               for start, end in zip(cohort["date"], cohort["spell_end"], strict=True))
    assert (mart["first_year_cohort"], mart["first_year_exits"]) == (len(cohort), left)
    assert len(cohort) > 0
