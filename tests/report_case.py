"""A tiny hand-made publication for the report's tests: two hubs, fifteen months (2024-01 to
2025-03), as_of_date 2025-03-31, written as a real publication (parquet/<table>.parquet with the
output contract's columns and types, and manifest.json with ``parameters`` and ``validation``).

The figures the executive summary must show, worked out by hand (tests/test_report.py):

- critical mass at 2025-03: Alpha (target 20, 32 people) MET, Beta (target 30, 8 people) BELOW
  since it opened in 2024-01 -> "1 of 2", Beta below for 15 months; a year earlier also 1.
- headcount 40 (32 + 8) against 30 (24 + 6) a year earlier: +10, +33.3 %.
- retention 90.0 % over 28 + 4 = 32 people at the window start (80.0 % a year earlier);
  attrition 10.0 % with 3 + 1 = 4 exits (20.0 %).
- regretted attrition: COMPANY YEAR 2024 shown, 2 of 6 leavers, 2 / 40 = 5.0 %; 2023 suppressed
  (PRIMARY), so no comparison.
- industrialisation 3 / 5 = 60.0 % (50.0 %).
- median days POC -> production of the solutions live in (2024-03-31, 2025-03-31]: S2 182,
  S3 274, S4 276 -> 274 days, three solutions (a small sample, < 5); the year before S1 223.
- adopted share 50.0 %: S1 (60 of 100) and S3 (70 of 100) of four (25.0 % a year earlier).
- total cost 2025 to date 90,000 + 90,000 + 100,000 = EUR 280.0 k; 2024: 70,000 + 75,000 +
  80,000 = 225,000 (+24.4 %). Cost per production solution EUR 25.0 k (EUR 40.0 k).
- budget variance: Alpha 200,000 - 180,000 = +20,000, Beta 80,000 - 90,000 = -10,000:
  +10,000 / 270,000 = +3.7 %, 1 of 2 hubs over; a year earlier Alpha alone -5,000 / 100,000 = -5.0 %.
- POCs: S5 303 days since its first POC (stuck, > 180), S6 89 days.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import duckdb

from dagster_project.output_contract import PUBLISHED_TABLES

AS_OF = dt.date(2025, 3, 31)
MONTHS = [dt.date(2024 + (i // 12), i % 12 + 1, 1) for i in range(15)]  # 2024-01 .. 2025-03
HUBS = {"H1": "Alpha Hub", "H2": "Beta Hub"}
PARAMETERS = {"critical_mass_target": 30, "critical_mass_at_risk_ratio": 0.8, "min_family_share": 0.15,
              "min_group_size": 5, "adoption_threshold": 0.5, "industrialization_window_days": 365,
              "stuck_poc_days": 180, "stuck_pilot_days": 180, "staffing_min_hours": 8,
              "maintained_lookback_days": 90}
VALIDATION = {"checks": 42, "expectations": 311, "dbt_tests": 57,
              "warnings": [{"asset": "raw/cost_lines", "rule": "staff_line_without_solution", "count": 3}]}
SOLUTIONS = [  # id, hub, stage, first POC, first pilot, first production
    ("S1", "H1", "PRODUCTION", dt.date(2023, 6, 1), dt.date(2023, 9, 1), dt.date(2024, 1, 10)),
    ("S2", "H1", "PRODUCTION", dt.date(2024, 1, 15), None, dt.date(2024, 7, 15)),
    ("S3", "H2", "PRODUCTION", dt.date(2024, 2, 1), dt.date(2024, 6, 1), dt.date(2024, 11, 1)),
    ("S4", "H2", "PRODUCTION", dt.date(2024, 5, 1), dt.date(2024, 9, 1), dt.date(2025, 2, 1)),
    ("S5", "H1", "POC", dt.date(2024, 6, 1), None, None),
    ("S6", "H2", "POC", dt.date(2025, 1, 1), None, None),
]


def _early(month: dt.date) -> bool:
    return month <= dt.date(2024, 3, 1)


def _hub_months():
    for hub in HUBS:
        for month in MONTHS:
            yield hub, month


def _critical_mass():
    for hub, month in _hub_months():
        headcount = (24 if _early(month) else 32) if hub == "H1" else (6 if _early(month) else 8)
        ds, it = headcount // 2, headcount // 4
        target = 20 if hub == "H1" else 30
        yield {"hub_id": hub, "hub_name": HUBS[hub], "month": month, "headcount": headcount, "fte": float(headcount),
               "headcount_data_science": ds, "headcount_it": it, "headcount_business": headcount - ds - it,
               "critical_mass_target": target, "critical_mass_status": "MET" if headcount >= target else "BELOW",
               "is_multidisciplinary": True}


def _retention():
    for hub, month in _hub_months():
        if month == MONTHS[-1]:
            opening, rate, exits, avg, attrition = (28, 0.9, 3, 30.0, 0.1) if hub == "H1" else (4, 0.75, 1, 7.0, 1 / 7)
        else:
            opening, rate, exits, avg, attrition = (20, 0.8, 4, 20.0, 0.2) if hub == "H1" else (3, 2 / 3, 1, 4.0, 0.25)
        yield {"hub_id": hub, "month": month, "window_start": month, "window_end": month, "opening_headcount": opening,
               "retained_in_company": round(opening * rate), "retained_in_hub": round(opening * rate),
               "retention_rate": rate, "hub_retention_rate": rate, "exits_12m": exits, "avg_headcount_12m": avg,
               "attrition_rate_12m": attrition, "first_year_cohort": 0, "first_year_exits": 0,
               "is_full_window": True}


def _scorecard():
    for month in MONTHS:
        last, year_ago = month == MONTHS[-1], month == dt.date(2024, 3, 1)
        cost = {dt.date(2024, 1, 1): 70_000.0, dt.date(2024, 2, 1): 75_000.0, dt.date(2024, 3, 1): 80_000.0,
                dt.date(2025, 3, 1): 100_000.0}.get(month, 90_000.0)
        in_production = 4 if last else 2
        yield {"month": month, "hubs_open": 2, "headcount": 30 if _early(month) else 40, "hubs_at_critical_mass": 1,
               "retention_rate_12m": 0.9 if last else 0.8, "attrition_rate_12m": 0.1 if last else 0.2,
               "first_year_attrition_rate": 0.0, "solutions_in_production": in_production,
               "eligible_pocs": 5 if last else 2, "industrialized_pocs": 3 if last else 1,
               "industrialization_rate": 0.6 if last else 0.5, "adoption_rate": 0.475,
               "adopted_share": 0.5 if last else 0.25 if year_ago else 0.5, "healthy_production_share": 0.25,
               "total_cost_eur": cost, "cost_per_production_solution_eur": cost / in_production,
               "monitored_share": 0.75}


def _exit_reasons():
    def row(scope, kind, start, end, exits, avg, reasons=None, suppression=None):
        v, i, o, r = reasons or (None, None, None, None)
        return {"scope": scope, "period_type": kind, "period_start": start, "period_end": end, "exits": exits,
                "avg_headcount": avg, "voluntary_exits": v, "involuntary_exits": i, "other_exits": o,
                "regretted_exits": r, "voluntary_attrition_rate": None if v is None else v / avg,
                "regretted_attrition_rate": None if r is None else r / avg,
                "is_suppressed": suppression is not None, "suppression": suppression}
    yield row("COMPANY", "YEAR", dt.date(2023, 1, 1), dt.date(2023, 12, 31), 2, 25.0, suppression="PRIMARY")
    yield row("COMPANY", "YEAR", dt.date(2024, 1, 1), dt.date(2024, 12, 31), 6, 40.0, (4, 2, 0, 2))
    yield row("COMPANY", "QUARTER", dt.date(2024, 10, 1), dt.date(2024, 12, 31), 5, 40.0, (3, 2, 0, 1))
    yield row("H1", "YEAR", dt.date(2024, 1, 1), dt.date(2024, 12, 31), 5, 32.0, (3, 2, 0, 2))
    yield row("H2", "YEAR", dt.date(2024, 1, 1), dt.date(2024, 12, 31), 1, 8.0, suppression="PRIMARY")
    yield row("H2", "QUARTER", dt.date(2024, 10, 1), dt.date(2024, 12, 31), 1, 8.0, suppression="PRIMARY")
    yield row("H1", "QUARTER", dt.date(2024, 10, 1), dt.date(2024, 12, 31), 4, 32.0, suppression="COMPLEMENTARY")


def _lifecycle():
    for sid, hub, stage, poc, pilot, production in SOLUTIONS:
        yield {"solution_id": sid, "solution_name": f"Solution {sid[1:]}", "hub_id": hub, "business_domain": "Sales",
               "target_users": 100, "current_stage": stage, "first_poc_on": poc, "first_pilot_on": pilot,
               "first_production_on": production,
               "days_poc_to_production": (production - poc).days if production else None,
               "is_monitored": stage == "PRODUCTION"}


def _adoption():
    last_mau = {"S1": 60, "S2": 40, "S3": 70, "S4": 20}
    for sid, hub, _, _, _, production in SOLUTIONS[:4]:
        live = [m for m in MONTHS if m >= production.replace(day=1)]
        for n, month in enumerate(live, 1):
            mau = last_mau[sid] if month == MONTHS[-1] else 50 if month == dt.date(2024, 3, 1) and sid == "S1" else 30
            yield {"solution_id": sid, "hub_id": hub, "month": month, "stage": "PRODUCTION",
                   "monthly_active_users": mau, "target_users": 100, "adoption_rate": mau / 100,
                   "is_adopted": mau >= 50, "months_in_production": n}


def _hub_costs():
    for hub, month in _hub_months():
        ytd = {("H1", MONTHS[-1]): (200_000.0, 180_000.0), ("H2", MONTHS[-1]): (80_000.0, 90_000.0),
               ("H1", dt.date(2024, 3, 1)): (95_000.0, 100_000.0)}.get((hub, month))
        cost, budget = ytd if ytd else (10_000.0 * month.month, 10_000.0 * month.month if hub == "H1" else None)
        if hub == "H2" and month == dt.date(2024, 3, 1):
            budget = None
        yield {"hub_id": hub, "month": month, "pool_cost_eur": 30_000.0, "allocated_cost_eur": 24_000.0,
               "unallocated_cost_eur": 6_000.0, "direct_cost_eur": 10_000.0, "total_cost_eur": 40_000.0,
               "budget_eur": None if budget is None else budget / month.month, "ytd_cost_eur": cost,
               "ytd_budget_eur": budget, "ytd_budget_variance_eur": None if budget is None else cost - budget,
               "ytd_budget_variance_pct": None if budget is None else (cost - budget) / budget,
               "unallocated_share": 0.2}


def _rows() -> dict[str, list[dict]]:
    hub_months = list(_hub_months())
    return {
        "hub_critical_mass": list(_critical_mass()),
        "hub_headcount_bridge": [{"hub_id": h, "month": m, "opening_headcount": 0, "hires": 2 if m.month % 2 else 0,
                                  "transfers_in": 1 if m.month == 6 else 0, "exits": 1 if m.month % 3 == 0 else 0,
                                  "transfers_out": 1 if m.month == 7 else 0, "closing_headcount": 0}
                                 for h, m in hub_months],
        "hub_retention": list(_retention()),
        "talent_staffing": [{"hub_id": h, "month": m, "headcount": 10, "staffed_headcount": 8,
                             "staffing_rate": 0.7 if h == "H1" else 0.6, "new_hires_12m": 1} for h, m in hub_months],
        "recruiting": [{"hub_id": h, "quarter": q, "requisitions_opened": 3, "requisitions_filled": 2,
                        "requisitions_cancelled": 0, "open_at_quarter_end": 1, "median_days_to_fill": 40.0 + q.month}
                       for h in HUBS for q in MONTHS if q.month in (1, 4, 7, 10)],
        "solution_lifecycle": list(_lifecycle()),
        "industrialization": [{"hub_id": "H1", "cohort_year": 2023, "pocs_started": 1, "eligible_pocs": 1,
                               "industrialized": 1, "industrialization_rate": 1.0, "reached_production": 1,
                               "is_mature": True}],
        "solution_adoption": list(_adoption()),
        "portfolio_health": [{"hub_id": h, "month": m, "solutions_production": 2, "solutions_poc": 1,
                              "stuck_pocs": 1 if h == "H1" and m == MONTHS[-1] else 0, "monitored_share": 0.5,
                              "maintained_share": 1.0, "adopted_share": 0.5, "healthy_production_share": 0.5}
                             for h, m in hub_months],
        "cost_per_solution": [{"solution_id": sid, "hub_id": hub, "month": m, "direct_cost_eur": 2_000.0,
                               "allocated_cost_eur": 5_000.0 + 1_000.0 * int(sid[1:]), "total_cost_eur": 0.0,
                               "cumulative_cost_eur": 0.0, "build_hours": 10.0, "run_hours": 5.0,
                               "monthly_active_users": 0, "stage": stage}
                              for sid, hub, stage, *_ in SOLUTIONS for m in MONTHS],
        "hub_costs": list(_hub_costs()),
        "company_scorecard": list(_scorecard()),
        "exit_reasons": list(_exit_reasons()),
    }


def _default(type_: str, nullable: bool):
    if nullable:
        return None
    return {"BOOLEAN": False, "VARCHAR": ""}.get(type_, 0)


def write_publication(folder: Path, manifest_extra: dict | None = None) -> Path:
    """Write the case into ``folder`` (created) and return it; ``manifest_extra`` replaces manifest keys
    (``{"parameters": None}`` removes one)."""
    (folder / "parquet").mkdir(parents=True)
    rows = _rows()
    with contextlib.closing(duckdb.connect()) as con:
        for table in PUBLISHED_TABLES:
            columns = ", ".join(f"{c.name} {c.type}" for c in table.columns)
            con.execute(f"CREATE TABLE {table.name} ({columns})")
            values = [[r.get(c.name, _default(c.type, c.nullable)) for c in table.columns] for r in rows[table.name]]
            con.executemany(f"INSERT INTO {table.name} VALUES ({', '.join('?' for _ in table.columns)})", values)
            con.execute(f"COPY {table.name} TO '{folder / 'parquet' / (table.name + '.parquet')}' (FORMAT parquet)")
    manifest = {"as_of_date": AS_OF.isoformat(), "run_id": "0000-report-case",
                "run_started_at": "2025-04-01T02:00:00+00:00", "published_at": "2025-04-01T02:00:30+00:00",
                "sources": [{"name": "hr/hubs.csv", "row_count": 2,
                             "sha256": "ab" * 32}],
                "tables": {t: {"row_count": len(r), "parquet": f"parquet/{t}.parquet"} for t, r in rows.items()},
                "parameters": PARAMETERS, "validation": VALIDATION}
    for key, value in (manifest_extra or {}).items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder
