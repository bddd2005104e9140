"""Cost KPIs: a missing FX rate fails loudly; MAU and the allocation recomputed in pandas on
the medium dataset agree with the marts; money is conserved to the cent."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd
import pytest

from dagster_project.failures import exit_code, explain_run
from tests.conftest import run_pipeline
from tests.test_people_crosscheck import AS_OF, RANK, read


def test_a_cost_line_without_fx_rate_fails_the_run(dbt_manifest, source_copy, tmp_path):
    rates = source_copy / "costs" / "fx_rates.csv"
    kept = [line for line in rates.read_text().splitlines() if not line.startswith("2025-03,USD")]
    rates.write_text("\n".join(kept) + "\n")
    with dg.instance_for_test() as instance:
        result = run_pipeline(source_copy, tmp_path / "w.duckdb", instance=instance)
        lines, code = explain_run(instance, result.run_id), exit_code(instance, result.run_id)
    assert not result.success
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert [c.check_name for c in failed] == ["not_null_int_costs__lines_eur_amount_eur"]
    assert failed[0].metadata["dagster_dbt/failed_row_count"].value > 0
    # make run's explanation: the failed dbt test, bad data (exit 1), not dbt's exit as a step error
    assert any("[not_null_int_costs__lines_eur_amount_eur] failed: " in line for line in lines), lines
    assert not [line for line in lines if line.startswith("step")] and code == 1
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


def eur_lines(folder) -> pd.DataFrame:
    """Every cost line with its posting month and EUR amount (the rate of its posting month)."""
    lines = read(folder, "costs/cost_lines")
    rates = read(folder, "costs/fx_rates")
    rate = {(m, c): float(r) for m, c, r in rates[["period_month", "currency", "rate_to_eur"]].values}
    lines["month"] = pd.to_datetime(lines["posting_date"]).dt.to_period("M").dt.to_timestamp()
    lines["eur"] = [float(a) * (1.0 if c == "EUR" else rate[(p[:7], c)])
                    for a, c, p in lines[["amount", "currency", "posting_date"]].values]
    return lines


def expected_allocation(lines: pd.DataFrame, sheets: pd.DataFrame) -> pd.DataFrame:
    """docs/kpis.md, cost_per_solution: each hub pool per category; CLOUD by the hub's direct
    CLOUD spend when it is positive, everything else (and CLOUD otherwise) by hours."""
    keys = ["hub_id", "month"]
    pools = lines[lines["solution_id"] == ""].groupby([*keys, "cost_category"])["eur"].sum() \
        .rename("pool").reset_index()
    cloud = lines[(lines["solution_id"] != "") & (lines["cost_category"] == "CLOUD")] \
        .groupby([*keys, "solution_id"])["eur"].sum().rename("driver").reset_index()
    cloud_total = cloud.groupby(keys)["driver"].sum().rename("total")
    pools = pools.join(cloud_total, on=keys)
    by_use = (pools["cost_category"] == "CLOUD") & (pools["total"] > 0)
    consumption = pools[by_use].merge(cloud, on=keys)
    working = sheets[sheets["activity_type"] != "LEAVE"].groupby(keys)["hours"].sum().rename("total")
    on_solution = sheets[sheets["activity_type"].isin(["BUILD", "RUN"])] \
        .groupby([*keys, "solution_id"])["hours"].sum().rename("driver").reset_index()
    by_hours = pools[~by_use].drop(columns="total").merge(on_solution, on=keys).join(working, on=keys)
    alloc = pd.concat([consumption.assign(key="CONSUMPTION"), by_hours.assign(key="PEOPLE_TIME")])
    alloc["allocated"] = alloc["pool"] * alloc["driver"] / alloc["total"]
    return alloc


def test_allocated_cost_per_solution_matches(medium_marts, medium_dir, attributed_timesheets):
    lines = eur_lines(medium_dir)
    alloc = expected_allocation(lines, attributed_timesheets)
    assert (alloc["key"] == "CONSUMPTION").sum() > 1000 and (alloc["key"] == "PEOPLE_TIME").sum() > 1000
    expected = alloc.groupby(["solution_id", "month"])["allocated"].sum().rename("expected").reset_index()
    marts = medium_marts.execute("select solution_id, month, allocated_cost_eur from marts.cost_per_solution "
                                 "where allocated_cost_eur <> 0").df()
    merged = expected.merge(marts, on=["solution_id", "month"], how="outer").fillna(0)
    assert len(merged) > 1000
    assert merged["allocated_cost_eur"].to_numpy() == pytest.approx(merged["expected"].to_numpy(), abs=0.01)
    per_key = medium_marts.execute("select applied_key, cost_category, cast(sum(allocated_cost_eur) as double) "
                                   "from intermediate.int_costs__pool_allocation group by all").fetchall()
    totals = alloc.groupby(["key", "cost_category"])["allocated"].sum()
    assert {(k, c): a for k, c, a in per_key} == pytest.approx(totals.to_dict(), abs=0.01)
    # and every euro of the ledger is either in a solution's total or unallocated hub overhead
    [(ledger, by_hub, by_solution)] = medium_marts.execute("""
        select (select sum(amount_eur) from intermediate.int_costs__lines_eur),
               (select sum(total_cost_eur) from marts.hub_costs),
               (select sum(total_cost_eur) from marts.cost_per_solution)
                 + (select sum(unallocated_cost_eur) from marts.hub_costs)""").fetchall()
    assert float(ledger) == pytest.approx(lines["eur"].sum(), abs=0.01)
    assert by_hub == pytest.approx(float(ledger), abs=0.01) and by_solution == pytest.approx(float(ledger), abs=0.01)


def expected_budgets(folder) -> pd.DataFrame:
    """docs/kpis.md, hub_costs: each hub month of a budgeted year gets budget / open months of
    the year (opening month or January through closing month or December) and, year to date,
    budget x open months so far / open months; last_open marks December or the closing month."""
    hubs = read(folder, "hr/hubs").set_index("hub_id")
    rows = []
    for hub_id, year, budget in read(folder, "costs/budgets")[["hub_id", "year", "budget_eur"]].values:
        opened, closed = hubs.loc[hub_id, "opened_on"], hubs.loc[hub_id, "closed_on"]
        first = max(pd.Period(opened, "M"), pd.Period(f"{year}-01", "M"))
        last = min(pd.Period(closed, "M") if closed else pd.Period(f"{year}-12", "M"), pd.Period(f"{year}-12", "M"))
        months = pd.period_range(first, last, freq="M")
        for so_far, month in enumerate(months, start=1):
            rows.append((hub_id, month.to_timestamp(), float(budget) / len(months),
                         float(budget) * so_far / len(months), month == last, float(budget)))
    return pd.DataFrame(rows, columns=["hub_id", "month", "budget", "ytd_budget", "last_open", "year_budget"])


@pytest.fixture(scope="module")
def demo_marts(demo_published) -> duckdb.DuckDBPyConnection:
    """The demo dataset (the committed seeds/) through ingestion and dbt: the marts of the session's
    demo run (``demo_published``, default parameters), whose warehouse no test writes to."""
    con = duckdb.connect(str(demo_published / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("scale", ["demo", "medium"])
def test_budgets_are_phased_over_the_open_months(request, scale):
    marts = request.getfixturevalue(f"{scale}_marts")
    expected = expected_budgets(request.getfixturevalue(f"{scale}_dir"))
    published = marts.execute("select hub_id, month, budget_eur, ytd_budget_eur from marts.hub_costs").df()
    merged = published.merge(expected, on=["hub_id", "month"], how="left", indicator=True)
    assert (merged["_merge"] == "both").all()  # every hub month of the data is budgeted
    assert merged["budget_eur"].to_numpy() == pytest.approx(merged["budget"].to_numpy(), rel=1e-12)
    assert merged["ytd_budget_eur"].to_numpy() == pytest.approx(merged["ytd_budget"].to_numpy(), rel=1e-12)
    # December (or the closing month): the year's budget, exactly; the demo's current year, cut
    # at September by as_of_date, has no such month
    year_ends = merged[merged["last_open"]]
    assert len(year_ends) == len(expected[expected["last_open"] & (expected["month"] <= published["month"].max())])
    assert len(year_ends) >= (8 if scale == "demo" else 40)
    assert (year_ends["ytd_budget_eur"] == year_ends["year_budget"]).all()
