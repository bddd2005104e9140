"""Cost KPIs: a missing FX rate fails loudly; MAU and the allocation recomputed in pandas on
the medium dataset agree with the marts; money is conserved to the cent."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from tests.conftest import run_pipeline
from tests.test_people_crosscheck import AS_OF, RANK, read


def test_a_cost_line_without_fx_rate_fails_the_run(dbt_manifest, source_copy, tmp_path):
    rates = source_copy / "costs" / "fx_rates.csv"
    kept = [line for line in rates.read_text().splitlines() if not line.startswith("2025-03,USD")]
    rates.write_text("\n".join(kept) + "\n")
    result = run_pipeline(source_copy, tmp_path / "w.duckdb")
    assert not result.success
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert [c.check_name for c in failed] == ["not_null_int_costs__lines_eur_amount_eur"]
    assert failed[0].metadata["dagster_dbt/failed_row_count"].value > 0
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        built = {r[0] for r in con.execute("select table_name from information_schema.tables "
                                           "where table_schema = 'marts'").fetchall()}
    assert "cost_per_solution" not in built and "hub_costs" not in built  # never built without the rate


@pytest.fixture(scope="module")
def attributed_timesheets(medium_dir) -> pd.DataFrame:
    """Every realised timesheet row with the hub its person was in on week_start."""
    events = read(medium_dir, "hr/employment_events")
    events["date"] = pd.to_datetime(events["effective_date"])
    events = events[events["date"] <= pd.Timestamp(AS_OF)]
    rank = events["event_type"].map(RANK)
    events = events.assign(rank=rank).sort_values(["employee_id", "date", "rank", "event_id"])
    events["end"] = events.groupby("employee_id")["date"].shift(-1)
    intervals = events[events["event_type"] != "EXIT"][["employee_id", "hub_id", "date", "end"]]
    sheets = read(medium_dir, "projects/timesheets")
    sheets["week_start"] = pd.to_datetime(sheets["week_start"])
    sheets["hours"] = sheets["hours"].astype(float)
    merged = pd.merge_asof(sheets.sort_values("week_start"), intervals.sort_values("date"),
                           left_on="week_start", right_on="date", by="employee_id", direction="backward")
    # at the close of week_start, or during it when week_start is the last day employed
    assert ((merged["end"].isna()) | (merged["end"] >= merged["week_start"])).all()
    merged["month"] = merged["week_start"].dt.to_period("M").dt.to_timestamp()
    return merged


def test_monthly_active_users_match(medium_marts, medium_dir):
    usage = read(medium_dir, "projects/usage_events")
    usage["month"] = pd.to_datetime(usage["activity_date"]).dt.to_period("M").dt.to_timestamp()
    expected = usage.groupby(["solution_id", "month"])["user_id"].nunique().rename("expected").reset_index()
    marts = medium_marts.execute("select solution_id, month, monthly_active_users from marts.cost_per_solution "
                                 "where monthly_active_users > 0").df()
    merged = expected.merge(marts, on=["solution_id", "month"], how="outer")
    assert len(merged) > 1000
    assert (merged["expected"] == merged["monthly_active_users"]).all()


def test_allocated_cost_per_solution_matches(medium_marts, medium_dir, attributed_timesheets):
    lines = read(medium_dir, "costs/cost_lines")
    rates = read(medium_dir, "costs/fx_rates")
    rate = {(m, c): float(r) for m, c, r in rates[["period_month", "currency", "rate_to_eur"]].values}
    lines["month"] = pd.to_datetime(lines["posting_date"]).dt.to_period("M").dt.to_timestamp()
    lines["eur"] = [float(a) * (1.0 if c == "EUR" else rate[(p[:7], c)])
                    for a, c, p in lines[["amount", "currency", "posting_date"]].values]
    pools = lines[lines["solution_id"] == ""].groupby(["hub_id", "month"])["eur"].sum().rename("pool")
    sheets = attributed_timesheets
    working = sheets[sheets["activity_type"] != "LEAVE"].groupby(["hub_id", "month"])["hours"].sum().rename("working")
    on_solution = sheets[sheets["activity_type"].isin(["BUILD", "RUN"])] \
        .groupby(["hub_id", "solution_id", "month"])["hours"].sum().rename("solution_hours").reset_index()
    alloc = on_solution.join(pools, on=["hub_id", "month"]).join(working, on=["hub_id", "month"]).dropna()
    alloc["allocated"] = alloc["pool"] * alloc["solution_hours"] / alloc["working"]
    expected = alloc.groupby(["solution_id", "month"])["allocated"].sum().rename("expected").reset_index()
    marts = medium_marts.execute("select solution_id, month, allocated_cost_eur from marts.cost_per_solution "
                                 "where allocated_cost_eur <> 0").df()
    merged = expected.merge(marts, on=["solution_id", "month"], how="outer").fillna(0)
    assert len(merged) > 1000
    assert merged["allocated_cost_eur"].to_numpy() == pytest.approx(merged["expected"].to_numpy(), abs=0.01)
    # and every euro of the ledger is either in a solution's total or unallocated hub overhead
    [(ledger, by_hub, by_solution)] = medium_marts.execute("""
        select (select sum(amount_eur) from intermediate.int_costs__lines_eur),
               (select sum(total_cost_eur) from marts.hub_costs),
               (select sum(total_cost_eur) from marts.cost_per_solution)
                 + (select sum(unallocated_cost_eur) from marts.hub_costs)""").fetchall()
    assert float(ledger) == pytest.approx(lines["eur"].sum(), abs=0.01)
    assert by_hub == pytest.approx(float(ledger), abs=0.01) and by_solution == pytest.approx(float(ledger), abs=0.01)
