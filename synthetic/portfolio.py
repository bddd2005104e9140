"""The AI solution portfolio: solutions and their lifecycle (the POC funnel)."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from dagster_project.contract import BUSINESS_DOMAINS
from synthetic.people import Hub
from synthetic.scales import Scale

NAME_WORDS = ("Demand", "Price", "Churn", "Fraud", "Forecast", "Vision", "Assistant", "Quality",
              "Route", "Stock", "Lead", "Claims", "Energy", "Yield", "Credit", "Talent")


@dataclass
class Solution:
    index: int
    hub: int
    name: str
    domain: str
    target_users: int | None
    created_on: dt.date
    monitoring_enabled_on: dt.date | None = None
    stages: list[tuple[dt.date, str]] = field(default_factory=list)  # sorted by date

    @property
    def solution_id(self) -> str:
        return f"S{self.index:05d}"

    def stage_on(self, day: dt.date) -> str | None:
        """The stage of the latest event dated on or before ``day``."""
        position = bisect.bisect_right(self.stages, (day, "~")) - 1
        return self.stages[position][1] if position >= 0 else None

    def first(self, *stages: str) -> dt.date | None:
        return next((d for d, s in self.stages if s in stages), None)


def _days(rng: np.random.Generator, median: float, spread: float = 0.5) -> dt.timedelta:
    return dt.timedelta(days=max(1, int(rng.lognormal(np.log(median), spread))))


def _lifecycle(rng: np.random.Generator, created: dt.date) -> list[tuple[dt.date, str]]:
    """A plausible path through the funnel; about half of the POCs reach production."""
    events: list[tuple[dt.date, str]] = []
    day = created
    if rng.random() < 0.7:
        events.append((day, "IDEATION"))
        day += _days(rng, 35)
        if rng.random() < 0.08:  # an idea that dies before its POC
            return [*events, (day, "STOPPED")]
    if rng.random() < 0.9:
        events.append((day, "POC"))
        outcome = rng.random()
        day += _days(rng, 140)
        if outcome < 0.22:
            return [*events, (day, "STOPPED")]
        if outcome < 0.34:
            return events  # stuck in POC
    events.append((day, "PILOT"))
    day += _days(rng, 90)
    if rng.random() < 0.12:
        return [*events, (day, "STOPPED")]
    events.append((day, "PRODUCTION"))
    if rng.random() < 0.06:  # a regression back to pilot, then production again
        day += _days(rng, 200)
        events.append((day, "PILOT"))
        day += _days(rng, 45)
        events.append((day, "PRODUCTION"))
    if rng.random() < 0.15:
        day += _days(rng, 500)
        events.append((day, "RETIRED"))
    return events


def make_portfolio(rng: np.random.Generator, scale: Scale, hubs: list[Hub]) -> list[Solution]:
    solutions: list[Solution] = []
    end = scale.end_date
    for hub in hubs:
        span = (end - hub.opened_on).days - 60
        for _ in range(max(2, int(rng.poisson(scale.solutions_per_hub)))):
            created = hub.opened_on + dt.timedelta(days=int(rng.integers(20, max(21, span))))
            m2m = rng.random() < 0.18  # machine-to-machine: adoption does not apply
            target = (None if rng.random() < 0.5 else 0) if m2m else \
                max(5, int(rng.lognormal(np.log(scale.target_users_median), 0.8)))
            solution = Solution(
                index=len(solutions) + 1, hub=hub.index,
                name=(f"{NAME_WORDS[int(rng.integers(0, len(NAME_WORDS)))]} "
                      f"{NAME_WORDS[int(rng.integers(0, len(NAME_WORDS)))]} {len(solutions) + 1}"),
                domain=BUSINESS_DOMAINS[int(rng.integers(0, len(BUSINESS_DOMAINS)))],
                target_users=target, created_on=created,
            )
            # one event a day at most (the PK), nothing after the end of the data
            seen: set[dt.date] = set()
            for day, stage in _lifecycle(rng, created):
                if day <= end and day not in seen:
                    seen.add(day)
                    solution.stages.append((day, stage))
            production = solution.first("PRODUCTION")
            if production and rng.random() < 0.75:
                monitoring = production + dt.timedelta(days=int(rng.integers(0, 120)))
                solution.monitoring_enabled_on = monitoring if monitoring <= end else None
            solutions.append(solution)
    return solutions
