"""Baseline (b), the analyst's alternative: a few headline KPIs in straightforward pandas.

Monthly headcount per hub, 12-month attrition, monthly active users and cost per solution
(direct lines + each pool category allocated by its key: CLOUD by the hub's direct cloud spend,
the rest by hours), read from the same CSVs.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

RANK = {"HIRE": 0, "REHIRE": 0, "TRANSFER": 1, "JOB_CHANGE": 1, "EXIT": 2}


def _read(folder: Path, stem: str) -> pd.DataFrame:
    return pd.read_csv(next(folder.glob(f"{stem}.csv*")))


def run_analyst(source_dir: Path, as_of: str = "2026-09-30") -> dict[str, float]:
    timings = {}
    start = time.perf_counter()
    events = _read(source_dir, "hr/employment_events")
    employees = _read(source_dir, "hr/employees")
    events = events.merge(employees, on="employee_id")
    events["date"] = pd.to_datetime(events["effective_date"])
    events = events[(events["date"] <= as_of) & (events["worker_type"] == "EMPLOYEE")]
    events = events.assign(rank=events["event_type"].map(RANK)).sort_values(["employee_id", "date", "rank"])
    events["end"] = events.groupby("employee_id")["date"].shift(-1).fillna(pd.Timestamp("2262-01-01"))
    intervals = events[events["event_type"] != "EXIT"]
    month_ends = pd.date_range(intervals["date"].min(), as_of, freq="ME")
    headcount = pd.concat([
        intervals[(intervals["date"] <= d) & (intervals["end"] > d)].groupby("hub_id").size().rename(d)
        for d in month_ends], axis=1).fillna(0)
    timings["monthly headcount"] = time.perf_counter() - start

    start = time.perf_counter()
    days = pd.date_range(intervals["date"].min(), as_of, freq="D")
    deltas = pd.concat([intervals.groupby(["hub_id", "date"]).size(),
                        -intervals[intervals["end"] <= as_of].groupby(["hub_id", "end"]).size()
                        .rename_axis(["hub_id", "date"])])
    daily = deltas.groupby(level=[0, 1]).sum().unstack(0).reindex(days).fillna(0).cumsum()
    average = daily.rolling(365, min_periods=1).mean()
    exits = events[events["event_type"] == "EXIT"].copy()
    exits["hub_id"] = events.groupby("employee_id")["hub_id"].shift(1).loc[exits.index]
    exit_daily = exits.groupby(["date", "hub_id"]).size().unstack(1).reindex(days).fillna(0)
    attrition = exit_daily.rolling(365, min_periods=1).sum() / average
    timings["12-month attrition"] = time.perf_counter() - start

    start = time.perf_counter()
    usage = _read(source_dir, "projects/usage_events")
    usage["month"] = usage["activity_date"].str[:7]
    mau = usage.groupby(["solution_id", "month"])["user_id"].nunique()
    timings["monthly active users"] = time.perf_counter() - start

    start = time.perf_counter()
    lines = _read(source_dir, "costs/cost_lines")
    rates = _read(source_dir, "costs/fx_rates")
    lines["month"] = lines["posting_date"].str[:7]
    lines = lines.merge(rates, left_on=["month", "currency"], right_on=["period_month", "currency"], how="left")
    lines["eur"] = lines["amount"] * lines["rate_to_eur"].where(lines["currency"] != "EUR", 1.0)
    sheets = _read(source_dir, "projects/timesheets")
    sheets["week_start"] = pd.to_datetime(sheets["week_start"])
    all_intervals = events.sort_values("date")[["employee_id", "hub_id", "date"]]
    sheets = pd.merge_asof(sheets.sort_values("week_start"), all_intervals, left_on="week_start", right_on="date",
                           by="employee_id", direction="backward")
    sheets["month"] = sheets["week_start"].dt.strftime("%Y-%m")
    working = sheets[sheets["activity_type"] != "LEAVE"].groupby(["hub_id", "month"])["hours"].sum()
    on_solution = sheets[sheets["activity_type"].isin(["BUILD", "RUN"])].groupby(
        ["hub_id", "solution_id", "month"])["hours"].sum().reset_index()
    keys = ["hub_id", "month"]
    pools = lines[lines["solution_id"].isna()].groupby([*keys, "cost_category"])["eur"].sum().rename("pool")
    cloud = lines[lines["solution_id"].notna() & (lines["cost_category"] == "CLOUD")].groupby(
        [*keys, "solution_id"])["eur"].sum().rename("driver").reset_index()
    pools = pools.reset_index().join(cloud.groupby(keys)["driver"].sum().rename("total"), on=keys)
    by_use = (pools["cost_category"] == "CLOUD") & (pools["total"] > 0)  # CLOUD by consumption
    by_hours = pools[~by_use].drop(columns="total").merge(
        on_solution.rename(columns={"hours": "driver"}), on=keys).join(working.rename("total"), on=keys)
    alloc = pd.concat([pools[by_use].merge(cloud, on=keys), by_hours])
    alloc["allocated"] = alloc["pool"] * alloc["driver"] / alloc["total"]
    direct = lines[lines["solution_id"].notna()].groupby(["solution_id", "month"])["eur"].sum()
    cost = alloc.groupby(["solution_id", "month"])["allocated"].sum().add(direct, fill_value=0)
    timings["cost per solution"] = time.perf_counter() - start
    assert len(headcount) and len(attrition) and len(mau) and len(cost)
    return timings
