"""Writes the eleven source files of docs/sources.md for a scale and a seed."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from synthetic.costs import budgets, cost_lines, fx_frame, fx_rates
from synthetic.people import Workforce, month_starts, simulate_workforce
from synthetic.portfolio import Solution, make_portfolio
from synthetic.scales import Scale
from synthetic.timesheets import write_timesheets
from synthetic.usage import write_usage
from synthetic.writer import write_csv


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _int(value: int | None) -> str:
    return "" if value is None else str(value)


def _hr_frames(workforce: Workforce) -> dict[str, pd.DataFrame]:
    hubs = workforce.hubs
    hub_id = {h.index: h.hub_id for h in hubs}
    employee_id = {p.index: p.employee_id for p in workforce.people}
    events = [e for p in workforce.people for e in p.events]
    events.sort(key=lambda e: e.event_id)
    return {
        "hr/hubs": pd.DataFrame({
            "hub_id": [h.hub_id for h in hubs], "hub_name": [h.name for h in hubs],
            "site": [h.site for h in hubs], "opened_on": [_iso(h.opened_on) for h in hubs],
            "closed_on": [_iso(h.closed_on) for h in hubs],
            "critical_mass_target": [_int(h.critical_mass_target) for h in hubs],
        }),
        "hr/employees": pd.DataFrame({
            "employee_id": [p.employee_id for p in workforce.people],
            "worker_type": [p.worker_type for p in workforce.people],
        }),
        "hr/employment_events": pd.DataFrame({
            "event_id": [e.event_id for e in events],
            "employee_id": [employee_id[e.employee] for e in events],
            "event_type": [e.event_type for e in events],
            "effective_date": [_iso(e.date) for e in events],
            "hub_id": [hub_id.get(e.hub, "") for e in events],
            "role": [e.role or "" for e in events],
            "fte": ["" if e.fte is None else f"{e.fte:g}" for e in events],
            "exit_type": [e.exit_type or "" for e in events],
            "is_regretted": ["" if e.is_regretted is None else str(e.is_regretted).lower() for e in events],
            "requisition_id": [e.requisition_id or "" for e in events],
        }),
        "hr/requisitions": pd.DataFrame({
            "requisition_id": [r.requisition_id for r in workforce.requisitions],
            "hub_id": [hub_id[r.hub] for r in workforce.requisitions],
            "role": [r.role for r in workforce.requisitions],
            "opened_on": [_iso(r.opened_on) for r in workforce.requisitions],
            "status": [r.status for r in workforce.requisitions],
            "closed_on": [_iso(r.closed_on) for r in workforce.requisitions],
            "hired_employee_id": [employee_id.get(r.hired, "") for r in workforce.requisitions],
        }),
    }


def _portfolio_frames(solutions: list[Solution], hub_ids: dict[int, str]) -> dict[str, pd.DataFrame]:
    stages = [(s.solution_id, stage, _iso(day)) for s in solutions for day, stage in s.stages]
    return {
        "projects/solutions": pd.DataFrame({
            "solution_id": [s.solution_id for s in solutions],
            "hub_id": [hub_ids[s.hub] for s in solutions],
            "solution_name": [s.name for s in solutions],
            "business_domain": [s.domain for s in solutions],
            "target_users": [_int(s.target_users) for s in solutions],
            "created_on": [_iso(s.created_on) for s in solutions],
            "monitoring_enabled_on": [_iso(s.monitoring_enabled_on) for s in solutions],
        }),
        "projects/solution_stage_events": pd.DataFrame(stages, columns=["solution_id", "stage", "entered_on"]),
    }


def generate(scale: Scale, seed: int, out: Path, log=print) -> dict[str, int]:
    """Generate every source file into ``out`` (replaced); returns the row count per file."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    for system in ("hr", "projects", "costs"):
        shutil.rmtree(out / system, ignore_errors=True)
    counts: dict[str, int] = {}
    started = time.perf_counter()

    def step(name: str) -> None:
        log(f"  {name:<32} {time.perf_counter() - started:7.1f} s")

    workforce = simulate_workforce(rng, scale)
    solutions = make_portfolio(rng, scale, workforce.hubs)
    hub_ids = {h.index: h.hub_id for h in workforce.hubs}
    frames = {**_hr_frames(workforce), **_portfolio_frames(solutions, hub_ids)}
    rates = fx_rates(rng, month_starts(scale.start_date, scale.end_date))
    lines = cost_lines(rng, workforce.hubs, workforce.people, solutions, scale.start_date, scale.end_date, rates)
    frames["costs/cost_lines"] = lines
    frames["costs/fx_rates"] = fx_frame(rates)
    frames["costs/budgets"] = budgets(rng, workforce.hubs, lines, rates)
    for stem, frame in frames.items():
        counts[stem] = write_csv(out / f"{stem}.csv", frame)
    step("people, portfolio, costs")
    big = ".csv.gz" if scale.gzip else ".csv"
    counts["projects/timesheets"] = write_timesheets(
        rng, workforce.people, solutions, len(workforce.hubs), scale.start_date, scale.end_date,
        out / f"projects/timesheets{big}")
    step("timesheets")
    counts["projects/usage_events"] = write_usage(rng, solutions, scale.end_date, out / f"projects/usage_events{big}")
    step("usage events")
    return counts

