"""Weekly timesheets: who works on which solution, building or running it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic.people import Person
from synthetic.portfolio import Solution
from synthetic.writer import CsvSink

ACTIVITIES = np.array(["BUILD", "RUN", "INTERNAL", "TRAINING", "LEAVE"], dtype=object)
BUILD, RUN, INTERNAL, TRAINING, LEAVE = range(5)
CHUNK_ROWS = 1_000_000


@dataclass(frozen=True)
class Segment:
    """One assignment: hub, role and fte from ``start`` to ``end`` (inclusive, None = open)."""
    start: dt.date
    end: dt.date | None
    hub: int
    role: str
    fte: float
    spell_start: dt.date


def segments_of(person: Person) -> list[Segment]:
    segments: list[Segment] = []
    spell_start = None
    for event in person.events:
        if segments and segments[-1].end is None:
            previous = segments[-1]
            segments[-1] = Segment(previous.start, event.date - dt.timedelta(days=1) if event.event_type != "EXIT"
                                   else event.date, previous.hub, previous.role, previous.fte, previous.spell_start)
        if event.event_type in ("HIRE", "REHIRE"):
            spell_start = event.date
        if event.event_type != "EXIT":
            segments.append(Segment(event.date, None, event.hub, event.role, event.fte, spell_start))
    return [s for s in segments if s.end is None or s.end >= s.start]


def mondays(start: dt.date, end: dt.date) -> list[dt.date]:
    """Mondays whose whole week lies in [start, end]."""
    first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    return [first + dt.timedelta(weeks=i) for i in range(((end - first).days - 6) // 7 + 1)]


class _ActiveSolutions:
    """For each hub and week: the solutions one can build (POC, PILOT, PRODUCTION) and run."""

    def __init__(self, solutions: list[Solution], weeks: list[dt.date], n_hubs: int):
        self.build = [[[] for _ in weeks] for _ in range(n_hubs)]
        self.run = [[[] for _ in weeks] for _ in range(n_hubs)]
        self.any_build: list[list[int]] = [[] for _ in weeks]
        for s in solutions:
            for w, monday in enumerate(weeks):
                stage = s.stage_on(monday)
                if stage in ("POC", "PILOT", "PRODUCTION"):
                    self.build[s.hub][w].append(s.index)
                    self.any_build[w].append(s.index)
                if stage == "PRODUCTION":
                    self.run[s.hub][w].append(s.index)


def write_timesheets(rng: np.random.Generator, people: list[Person], solutions: list[Solution],
                     n_hubs: int, start: dt.date, end: dt.date, path) -> int:
    weeks = mondays(start, end)
    week_of = {d: i for i, d in enumerate(weeks)}
    active = _ActiveSolutions(solutions, weeks, n_hubs)
    production = {s.index for s in solutions if s.first("PRODUCTION")}
    week_text = np.array([d.isoformat() for d in weeks], dtype=object)
    employee_text = np.array([""] + [p.employee_id for p in people], dtype=object)
    solution_text = np.array([""] + [s.solution_id for s in solutions], dtype=object)
    cols: dict[str, list] = {"e": [], "w": [], "a": [], "s": [], "h": []}

    def emit(person: int, week: int, activity: int, solution: int, hours: float) -> None:
        cols["e"].append(person)
        cols["w"].append(week)
        cols["a"].append(activity)
        cols["s"].append(solution)
        cols["h"].append(hours)

    def flush(sink: CsvSink) -> None:
        frame = pd.DataFrame({
            "employee_id": employee_text[np.array(cols["e"], dtype=np.int64)],
            "week_start": week_text[np.array(cols["w"], dtype=np.int64)],
            "activity_type": ACTIVITIES[np.array(cols["a"], dtype=np.int64)],
            "solution_id": solution_text[np.array(cols["s"], dtype=np.int64)],
            "hours": np.array(cols["h"], dtype=np.float64),
        })
        sink.write(frame)
        for values in cols.values():
            values.clear()

    columns = ["employee_id", "week_start", "activity_type", "solution_id", "hours"]
    with CsvSink(path, columns) as sink:
        for person in people:
            current: list[int] = []
            reshuffle_at = 0
            bench_until = -1
            hub_before = None
            for segment in segments_of(person):
                last = min(segment.end or end, end)
                seg_weeks = [week_of[d] for d in mondays(segment.start, last + dt.timedelta(days=6))
                             if d in week_of]
                if segment.start == segment.spell_start and seg_weeks:
                    bench_until = seg_weeks[0] + int(rng.integers(0, 7))  # onboarding
                if segment.hub != hub_before:
                    current, reshuffle_at, hub_before = [], 0, segment.hub
                total = round(40 * segment.fte)
                draws = rng.random((len(seg_weeks), 6))
                for w, u in zip(seg_weeks, draws, strict=True):
                    if u[0] < 0.08:
                        emit(person.index, w, LEAVE, 0, float(total))
                        continue
                    left = total
                    if u[1] < 0.12:
                        emit(person.index, w, LEAVE, 0, 8.0)
                        left -= 8
                    internal = 2 + int(u[2] * 5)
                    if u[3] < 0.3:
                        training = 2 + int(u[4] * 7)
                        emit(person.index, w, TRAINING, 0, float(training))
                        left -= training
                    buildable = active.build[segment.hub][w]
                    if w <= bench_until or not buildable:
                        emit(person.index, w, INTERNAL, 0, float(left))
                        continue
                    emit(person.index, w, INTERNAL, 0, float(internal))
                    left -= internal
                    current = [s for s in current if s in buildable or s in active.run[segment.hub][w]]
                    if not current or w >= reshuffle_at:
                        pool = active.any_build[w] if u[5] < 0.05 else buildable
                        k = min(len(pool), 1 + int(rng.random() < 0.7) + int(rng.random() < 0.3))
                        current = [pool[i] for i in rng.choice(len(pool), k, replace=False)]
                        reshuffle_at = w + int(rng.integers(6, 20))
                    shares = rng.dirichlet(np.ones(len(current))) * left
                    for solution, share in zip(current, shares, strict=True):
                        hours = max(1.0, round(float(share) * 2) / 2)
                        if solution in production and solution in active.run[segment.hub][w] and u[5] < 0.7:
                            run = max(0.5, round(hours * 0.6 * 2) / 2)
                            emit(person.index, w, RUN, solution, run)
                            if hours - run >= 1:
                                emit(person.index, w, BUILD, solution, hours - run)
                        else:
                            emit(person.index, w, BUILD, solution, hours)
                    if len(cols["e"]) >= CHUNK_ROWS:
                        flush(sink)
        flush(sink)
        return sink.rows
