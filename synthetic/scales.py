"""Scale presets of the synthetic generator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

END_DATE = dt.date(2026, 9, 30)  # fixed, so a seed always gives the same files


@dataclass(frozen=True)
class Scale:
    name: str
    hubs: int
    years: int
    hub_final_size: tuple[int, int]  # people a hub grows toward (some stay below 30)
    growth_months: tuple[int, int]  # months a hub takes to reach its final size
    solutions_per_hub: float
    target_users_median: float
    gzip: bool = False  # write the two big files as .csv.gz

    @property
    def start_date(self) -> dt.date:
        return dt.date(END_DATE.year - self.years, END_DATE.month + 1, 1) if END_DATE.month < 12 \
            else dt.date(END_DATE.year - self.years + 1, 1, 1)

    @property
    def end_date(self) -> dt.date:
        return END_DATE


SCALES = {
    "demo": Scale("demo", hubs=4, years=3, hub_final_size=(60, 120), growth_months=(8, 24),
                  solutions_per_hub=15, target_users_median=35, gzip=True),
    "medium": Scale("medium", hubs=20, years=4, hub_final_size=(40, 190), growth_months=(8, 30),
                    solutions_per_hub=15, target_users_median=80),
    "large": Scale("large", hubs=100, years=5, hub_final_size=(85, 335), growth_months=(4, 16),
                   solutions_per_hub=15, target_users_median=150),
}
