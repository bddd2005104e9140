"""The data embedded in the report: the columns the charts draw, column-wise, rounded.

Column-wise lists (``{"month": [...], "headcount": [...]}``), repeated strings as indices into
their distinct values, keep the file small; the browser
filters and aggregates them (client-side hub and period filters), so nothing is pre-filtered here.
"""

from __future__ import annotations

import datetime as dt

from dagster_project.output_contract import PUBLISHED_TABLES_BY_NAME
from dagster_project.report.data import Publication
from dagster_project.report.story import as_of_month, min_group_size

# table -> the columns the report uses
COLUMNS: dict[str, tuple[str, ...]] = {
    "company_scorecard": ("month", "headcount", "retention_rate_12m", "attrition_rate_12m", "solutions_in_production",
                          "monitored_share", "adopted_share", "total_cost_eur"),
    "hub_critical_mass": ("hub_id", "month", "headcount", "headcount_data_science", "headcount_it",
                          "headcount_business", "critical_mass_target", "critical_mass_status"),
    "hub_headcount_bridge": ("hub_id", "month", "hires", "transfers_in", "exits", "transfers_out"),
    "hub_retention": ("hub_id", "month", "opening_headcount", "retention_rate", "avg_headcount_12m",
                      "attrition_rate_12m"),
    "talent_staffing": ("hub_id", "month", "staffing_rate"),
    "recruiting": ("hub_id", "quarter", "requisitions_opened", "requisitions_filled", "open_at_quarter_end",
                   "median_days_to_fill"),
    "solution_lifecycle": ("solution_id", "solution_name", "hub_id", "current_stage", "first_poc_on",
                           "first_pilot_on", "first_production_on"),
    "solution_adoption": ("solution_id", "hub_id", "month", "stage", "adoption_rate", "months_in_production"),
    "portfolio_health": ("hub_id", "month", "solutions_production", "monitored_share", "maintained_share",
                         "stuck_pocs"),
    "cost_per_solution": ("solution_id", "hub_id", "month", "direct_cost_eur", "allocated_cost_eur"),
    "hub_costs": ("hub_id", "month", "pool_cost_eur", "allocated_cost_eur", "unallocated_cost_eur", "ytd_cost_eur",
                  "ytd_budget_eur"),
    "exit_reasons": ("scope", "period_type", "period_start", "period_end", "exits", "avg_headcount", "voluntary_exits",
                     "involuntary_exits", "other_exits", "regretted_exits", "is_suppressed", "suppression"),
}


def _json_value(value, column: str, is_rate: bool):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if is_rate:
            return round(value, 5)
        return round(value) if column.endswith("_eur") else round(value, 2)
    return value


def _encoded(values: list) -> list | dict:
    """A column of repeated strings (ids, months) as ``{"keys": distinct values, "index": positions}``."""
    if not values or not all(isinstance(v, str) for v in values):
        return values
    keys = sorted(set(values))
    if len(keys) * 2 > len(values):
        return values
    position = {k: i for i, k in enumerate(keys)}
    return {"keys": keys, "index": [position[v] for v in values]}


def _columns(pub: Publication, table: str, rows: list[dict] | None = None) -> dict[str, list | dict]:
    rows = pub.rows(table) if rows is None else rows
    declared = {c.name: c for c in PUBLISHED_TABLES_BY_NAME[table].columns}
    return {name: _encoded([_json_value(r[name], name, declared[name].is_rate) for r in rows])
            for name in COLUMNS[table]}


def stuck_pocs(pub: Publication) -> list[dict]:
    """Solutions in POC at as_of_date, longest first: days since their first POC (solution_lifecycle)."""
    threshold = pub.parameter("stuck_poc_days")
    names = hub_names(pub)
    rows = []
    for r in pub.rows("solution_lifecycle"):
        if r["current_stage"] == "POC" and r["first_poc_on"] is not None:
            days = (pub.as_of_date - r["first_poc_on"]).days
            rows.append({"solution": r["solution_name"], "solution_id": r["solution_id"], "hub_id": r["hub_id"],
                         "hub": names.get(r["hub_id"], r["hub_id"]), "days": days,
                         "stuck": None if threshold is None else days > threshold})
    return sorted(rows, key=lambda r: (-r["days"], r["solution_id"]))


def hub_names(pub: Publication) -> dict[str, str]:
    return {r["hub_id"]: r["hub_name"] for r in pub.rows("hub_critical_mass")}


def payload(pub: Publication) -> dict:
    month = as_of_month(pub)
    adoption = [r for r in pub.rows("solution_adoption")
                if r["stage"] == "PRODUCTION" and r["adoption_rate"] is not None]
    return {
        "as_of_date": pub.manifest["as_of_date"],
        "as_of_month": month.isoformat(),
        "min_group_size": min_group_size(pub),
        "min_group_size_recorded": pub.parameter("min_group_size") is not None,
        "parameters": pub.parameters,
        "hubs": [{"id": k, "name": v} for k, v in sorted(hub_names(pub).items())],
        "stuck_pocs": stuck_pocs(pub),
        "tables": {name: _columns(pub, name, adoption if name == "solution_adoption" else None) for name in COLUMNS},
    }
