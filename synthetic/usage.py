"""User-level usage events: adoption curves after go-live, one row per user per day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from synthetic.portfolio import Solution
from synthetic.writer import CsvSink

CHUNK_ROWS = 1_000_000


def pseudonym(index: np.ndarray) -> np.ndarray:
    """Opaque, stable user ids: a bijection of the index scrambled into 8 hex digits."""
    scrambled = (index.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(2**32)
    return np.char.mod("u%08x", scrambled).astype(object)


def _active_days(solution: Solution, end: dt.date) -> tuple[dt.date, dt.date, dt.date | None] | None:
    """(first pilot-or-production day, last usage day, production day) of a solution."""
    live = solution.first("PILOT", "PRODUCTION")
    if live is None or not solution.target_users:
        return None
    stopped = solution.first("RETIRED", "STOPPED")
    last = min(end, stopped - dt.timedelta(days=1)) if stopped else end
    return (live, last, solution.first("PRODUCTION")) if last >= live else None


def write_usage(rng: np.random.Generator, solutions: list[Solution], end: dt.date, path) -> int:
    columns = ["solution_id", "activity_date", "user_id", "n_actions"]
    user_offset = 0
    pending: list[pd.DataFrame] = []
    pending_rows = 0
    with CsvSink(path, columns) as sink:
        for solution in solutions:
            window = _active_days(solution, end)
            if window is None:
                continue
            live, last, production = window
            days = np.arange(np.datetime64(live), np.datetime64(last + dt.timedelta(days=1)))
            t = (days - np.datetime64(live)).astype(np.int64)
            ceiling = rng.uniform(0.25, 1.05) * solution.target_users
            tau = rng.uniform(45, 240)
            pool = ceiling * (1 - np.exp(-t / tau))
            in_pilot = days < np.datetime64(production) if production is not None else np.ones(len(days), dtype=bool)
            pool = np.where(in_pilot, np.minimum(pool, 0.15 * ceiling + 3), pool)
            pool = np.maximum(1, np.round(pool)).astype(np.int64)
            weekday = ((days.astype(np.int64) + 3) % 7) < 5  # 1970-01-01 was a Thursday
            p_active = np.where(weekday, 0.42, 0.06)
            k = rng.binomial(pool, p_active)
            day_of_draw = np.repeat(np.arange(len(days)), k)
            local = np.floor(rng.random(len(day_of_draw)) * pool[day_of_draw]).astype(np.int64)
            key = np.unique(day_of_draw * np.int64(1 << 32) + local)  # one row per user per day
            day_index, local = key >> 32, key & ((1 << 32) - 1)
            pending.append(pd.DataFrame({
                "solution_id": solution.solution_id,
                "activity_date": days[day_index].astype(str),
                "user_id": pseudonym(user_offset + local),
                "n_actions": 1 + rng.poisson(3.0, len(key)),
            }))
            pending_rows += len(key)
            user_offset += int(pool.max()) + 1
            if pending_rows >= CHUNK_ROWS:
                sink.write(pd.concat(pending))
                pending, pending_rows = [], 0
        if pending:
            sink.write(pd.concat(pending))
        return sink.rows
