"""Named defects of docs/sources.md ("What bad input gets"), injected into generated files.

Each defect has a code, the severity the validation layer must give it (``error`` blocks
publishing, ``warning`` does not), the file it touches and an injector that changes a few rows
and returns their keys. ``inject_defects`` writes ``defects_manifest.json`` listing every
injected (file, key, code, severity), so that validation can be scored against it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dagster_project.contract import SOURCES_BY_NAME
from synthetic.writer import write_csv

Frames = dict[str, pd.DataFrame]
Injector = Callable[[Frames, list[int], np.random.Generator], list[dict]]


@dataclass(frozen=True)
class Defect:
    code: str
    severity: str  # "error" (blocks publication) or "warning"
    file: str  # source name, e.g. "employment_events"
    description: str
    inject: Injector
    candidates: Callable[[Frames], pd.Series] = lambda frames: None  # rows it may touch (default: all)


def _key(frame: pd.DataFrame, index: int, file: str) -> dict:
    return {c: frame.at[index, c] for c in SOURCES_BY_NAME[file].primary_key}


def _setter(file: str, column: str, value) -> Injector:
    def inject(frames: Frames, rows: list[int], rng) -> list[dict]:
        frame = frames[file]
        for i, row in enumerate(rows):
            frame.at[row, column] = value(frame, row, i) if callable(value) else value
        return [_key(frame, row, file) for row in rows]
    return inject


def _where(file: str, predicate) -> Callable[[Frames], pd.Series]:
    return lambda frames: predicate(frames[file])


def _duplicate_employee(frames, rows, rng):
    frame = frames["employees"]
    frames["employees"] = pd.concat([frame, frame.loc[rows]], ignore_index=True)
    return [_key(frame, row, "employees") for row in rows]


def _week_over_60(frames, rows, rng):
    frame = frames["timesheets"]
    keys = []
    for row in rows:
        frame.at[row, "hours"] = "59.5"  # every row <= 60, the week's sum > 60
        keys.append(_key(frame, row, "timesheets"))
    return keys


def _multi_row_week(frames):
    frame = frames["timesheets"]
    counts = frame.groupby(["employee_id", "week_start"])["hours"].transform("size")
    return (counts >= 2) & (frame["activity_type"] != "LEAVE")


def _same_day_hire_exit(frames, rows, rng):
    employees, events = frames["employees"], frames["employment_events"]
    keys = []
    for i, row in enumerate(rows):
        employee = f"EDEF{i:05d}"
        hire = events.loc[row].copy()
        employees.loc[len(employees)] = [employee, "EMPLOYEE"]
        hire["event_id"], hire["employee_id"], hire["event_type"], hire["requisition_id"] = \
            f"EVDEFH{i:05d}", employee, "HIRE", ""
        leave = hire.copy()
        leave["event_id"], leave["event_type"] = f"EVDEFX{i:05d}", "EXIT"
        leave["hub_id"] = leave["role"] = leave["fte"] = ""
        leave["exit_type"], leave["is_regretted"] = "OTHER", "false"
        events.loc[len(events)] = hire
        events.loc[len(events)] = leave
        keys.append({"event_id": leave["event_id"]})
    return keys


def _usage_before_live(frames, rows, rng):
    usage, stages = frames["usage_events"], frames["solution_stage_events"]
    live = stages[stages["stage"].isin(["PILOT", "PRODUCTION"])].groupby("solution_id")["entered_on"].min()
    for i, row in enumerate(rows):
        day = pd.Timestamp(live[usage.at[row, "solution_id"]]) - pd.Timedelta(days=1 + i)
        usage.at[row, "activity_date"] = day.date().isoformat()
    return [_key(usage, row, "usage_events") for row in rows]


def _stage_before_created(frames, rows, rng):
    solutions, stages = frames["solutions"], frames["solution_stage_events"]
    first = stages.groupby("solution_id")["entered_on"].min()
    keys = []
    for row in rows:
        solution = solutions.at[row, "solution_id"]
        solutions.at[row, "created_on"] = (pd.Timestamp(first[solution]) + pd.Timedelta(days=3)).date().isoformat()
        keys.append({"solution_id": solution})
    return keys


def _fx_jump(frames, rows, rng):
    rates = frames["fx_rates"]
    for row in rows:
        rates.at[row, "rate_to_eur"] = f"{float(rates.at[row, 'rate_to_eur']) * 1.35:.6f}"
    return [_key(rates, row, "fx_rates") for row in rows]


def _monday_shift(frame, row, i):
    return (pd.Timestamp(frame.at[row, "week_start"]) + pd.Timedelta(days=1)).date().isoformat()


DEFECTS: tuple[Defect, ...] = (
    # --- errors: block publication -------------------------------------------------------
    Defect("EMPLOYEE_DUPLICATE_ID", "error", "employees", "an employee_id appears twice", _duplicate_employee),
    Defect("EVENT_UNKNOWN_HUB", "error", "employment_events", "hub_id not in hubs",
           _setter("employment_events", "hub_id", "H999"),
           _where("employment_events", lambda f: f["event_type"] == "JOB_CHANGE")),
    Defect("EVENT_FTE_OUT_OF_RANGE", "error", "employment_events", "fte above 1",
           _setter("employment_events", "fte", "1.5"),
           _where("employment_events", lambda f: f["event_type"] == "HIRE")),
    Defect("EVENT_EXIT_FIELDS_ON_HIRE", "error", "employment_events", "exit_type on a HIRE",
           _setter("employment_events", "exit_type", "VOLUNTARY"),
           _where("employment_events", lambda f: f["event_type"] == "HIRE")),
    Defect("EVENT_REGRETTED_NOT_VOLUNTARY", "error", "employment_events", "regretted involuntary exit",
           _setter("employment_events", "is_regretted", "true"),
           _where("employment_events", lambda f: f["exit_type"] == "INVOLUNTARY")),
    Defect("EVENT_SEQUENCE_TRANSFER_WHILE_OUT", "error", "employment_events",
           "a TRANSFER while not employed (a REHIRE turned into a TRANSFER)",
           _setter("employment_events", "event_type", "TRANSFER"),
           _where("employment_events", lambda f: f["event_type"] == "REHIRE")),
    Defect("REQUISITION_FILLED_WITHOUT_HIRE", "error", "requisitions", "FILLED without hired_employee_id",
           _setter("requisitions", "hired_employee_id", ""),
           _where("requisitions", lambda f: f["status"] == "FILLED")),
    Defect("SOLUTION_UNKNOWN_DOMAIN", "error", "solutions", "business_domain outside the list",
           _setter("solutions", "business_domain", "LEGAL")),
    Defect("TIMESHEET_HOURS_OUT_OF_RANGE", "error", "timesheets", "hours of 0",
           _setter("timesheets", "hours", "0")),
    Defect("TIMESHEET_WEEK_OVER_60", "error", "timesheets", "a week's hours sum above 60",
           _week_over_60, _multi_row_week),
    Defect("TIMESHEET_SOLUTION_ON_INTERNAL", "error", "timesheets", "solution_id on an INTERNAL row",
           _setter("timesheets", "solution_id", lambda f, r, i: "S00001"),
           _where("timesheets", lambda f: f["activity_type"] == "INTERNAL")),
    Defect("TIMESHEET_NOT_MONDAY", "error", "timesheets", "week_start not a Monday",
           _setter("timesheets", "week_start", _monday_shift),
           _where("timesheets", lambda f: f["activity_type"] == "LEAVE")),
    Defect("TIMESHEET_NOT_EMPLOYED", "error", "timesheets", "hours in a week the person was not employed",
           _setter("timesheets", "week_start", lambda f, r, i: (pd.Timestamp("2015-01-05")
                                                               + pd.Timedelta(weeks=i)).date().isoformat())),
    Defect("USAGE_EMAIL_USER_ID", "error", "usage_events", "user_id looks like an e-mail address",
           _setter("usage_events", "user_id", lambda f, r, i: f"jane.doe{i}@example.com")),
    Defect("USAGE_UNKNOWN_SOLUTION", "error", "usage_events", "solution_id not in solutions",
           _setter("usage_events", "solution_id", "S99999")),
    Defect("COST_NEGATIVE_USAGE", "error", "cost_lines", "a USAGE line with a negative amount",
           _setter("cost_lines", "amount", lambda f, r, i: f"-{f.at[r, 'amount']}"),
           _where("cost_lines", lambda f: f["charge_type"] == "USAGE")),
    Defect("COST_UNKNOWN_CATEGORY", "error", "cost_lines", "cost_category outside the list",
           _setter("cost_lines", "cost_category", "TRAVEL")),
    Defect("COST_NO_FX_RATE", "error", "cost_lines", "a currency without FX rate",
           _setter("cost_lines", "currency", "CHF")),
    Defect("FX_RATE_NOT_POSITIVE", "error", "fx_rates", "a rate of 0",
           _setter("fx_rates", "rate_to_eur", "0"), _where("fx_rates", lambda f: f["currency"] == "GBP")),
    # --- warnings: reported, the run publishes -----------------------------------------
    Defect("WARN_SAME_DAY_HIRE_EXIT", "warning", "employment_events", "a hire and an exit on the same day",
           _same_day_hire_exit, _where("employment_events", lambda f: f["event_type"] == "HIRE")),
    Defect("WARN_SAME_HUB_TRANSFER", "warning", "employment_events", "a TRANSFER that keeps the hub",
           _setter("employment_events", "event_type", "TRANSFER"),
           _where("employment_events", lambda f: f["event_type"] == "JOB_CHANGE")),
    Defect("WARN_STAGE_BEFORE_CREATED", "warning", "solutions", "a stage event before created_on",
           _stage_before_created,
           _where("solutions", lambda f: f["solution_id"].isin(["S00001", "S00002", "S00003", "S00004"]))),
    Defect("WARN_USAGE_BEFORE_LIVE", "warning", "usage_events", "usage before the first PILOT/PRODUCTION",
           _usage_before_live),
    Defect("WARN_STAFF_WITH_SOLUTION", "warning", "cost_lines", "a STAFF line carrying a solution_id",
           _setter("cost_lines", "solution_id", lambda f, r, i: "S00001"),
           _where("cost_lines", lambda f: f["cost_category"] == "STAFF")),
    Defect("WARN_FX_JUMP", "warning", "fx_rates", "a month-over-month FX move above 20 %",
           _fx_jump, _where("fx_rates", lambda f: f["currency"] == "USD")),
)


def _source_path(folder: Path, name: str) -> Path:
    source = SOURCES_BY_NAME[name]
    return next((folder / source.system).glob(f"{name}.csv*"))


def inject_defects(folder: Path, rate: float, seed: int, codes: set[str] | None = None) -> list[dict]:
    """Inject every defect (or those of ``codes``) into about ``rate`` of its file's rows, at
    least one row each, at most 25."""
    rng = np.random.default_rng(seed + 7919)
    paths = {name: _source_path(folder, name) for name in SOURCES_BY_NAME}
    frames = {name: pd.read_csv(path, dtype=str, keep_default_na=False) for name, path in paths.items()}
    touched: dict[str, set[int]] = {name: set() for name in frames}
    manifest = []
    for defect in (d for d in DEFECTS if codes is None or d.code in codes):
        frame = frames[defect.file]
        allowed = defect.candidates(frames)
        pool = frame.index if allowed is None else frame.index[allowed.to_numpy()]
        pool = np.array([i for i in pool if i not in touched[defect.file]])
        count = min(len(pool), max(1, round(rate * len(frame))), 25)
        rows = sorted(int(i) for i in rng.choice(pool, count, replace=False))
        touched[defect.file].update(rows)
        for key in defect.inject(frames, rows, rng):
            manifest.append({"file": str(paths[defect.file].relative_to(folder)), "key": key,
                             "code": defect.code, "severity": defect.severity})
    for name, frame in frames.items():
        write_csv(paths[name], frame)
    (folder / "defects_manifest.json").write_text(json.dumps(manifest, indent=1, default=str) + "\n")
    return manifest
