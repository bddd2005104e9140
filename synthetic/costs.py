"""General-ledger cost lines in EUR, USD and GBP, monthly FX rates and annual budgets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pandas as pd

from synthetic.people import Hub, Person, month_end, month_starts
from synthetic.portfolio import Solution
from synthetic.timesheets import segments_of

STAFF_COST_PER_FTE_EUR = 7_800.0
CONTRACTOR_COST_EUR = 12_500.0


def fx_rates(rng: np.random.Generator, months: list[dt.date]) -> dict[tuple[dt.date, str], float]:
    """A monthly random walk per currency (EUR per unit), EUR itself at 1."""
    rates: dict[tuple[dt.date, str], float] = {}
    level = {"USD": 0.92, "GBP": 1.16}
    for month in months:
        rates[(month, "EUR")] = 1.0
        for currency in ("USD", "GBP"):
            level[currency] *= float(np.exp(rng.normal(0, 0.012)))
            rates[(month, currency)] = round(level[currency], 6)
    return rates


def fx_frame(rates: dict[tuple[dt.date, str], float]) -> pd.DataFrame:
    return pd.DataFrame(
        [(m.strftime("%Y-%m"), c, f"{r:.6f}") for (m, c), r in rates.items()],
        columns=["period_month", "currency", "rate_to_eur"],
    )


def _staffing_by_month(people: list[Person], months: list[dt.date], n_hubs: int):
    """Employee FTE and contractor heads per hub at each month end."""
    ends = [month_end(m) for m in months]
    fte = np.zeros((n_hubs, len(months)))
    contractors = np.zeros((n_hubs, len(months)))
    for person in people:
        target = contractors if person.worker_type == "CONTRACTOR" else fte
        for seg in segments_of(person):
            for i, day in enumerate(ends):
                if seg.start <= day and (seg.end is None or seg.end > day):
                    target[seg.hub, i] += seg.fte if target is fte else 1
    return fte, contractors


def cost_lines(rng: np.random.Generator, hubs: list[Hub], people: list[Person], solutions: list[Solution],
               start: dt.date, end: dt.date, rates) -> pd.DataFrame:
    months = month_starts(start, end)
    fte, contractors = _staffing_by_month(people, months, len(hubs))
    by_hub: dict[int, list[Solution]] = defaultdict(list)
    for s in solutions:
        by_hub[s.hub].append(s)
    rows: list[tuple] = []

    def line(day: dt.date, hub: Hub, solution: Solution | None, category: str, charge: str,
             amount_eur: float, currency: str) -> None:
        amount = amount_eur / rates[(day.replace(day=1), currency)]
        rows.append((day, hub.hub_id, solution.solution_id if solution else "", category, charge,
                     round(amount, 2), currency))

    def some_day(first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))

    for i, first in enumerate(months):
        last = min(month_end(first), end)
        for hub in hubs:
            if hub.opened_on > last:
                continue
            close = month_end(first)
            if close <= end and fte[hub.index, i] > 0:
                line(close, hub, None, "STAFF", "USAGE", fte[hub.index, i] * STAFF_COST_PER_FTE_EUR, hub.currency)
            if close <= end and contractors[hub.index, i] > 0:
                line(close, hub, None, "CONTRACTOR", "USAGE",
                     contractors[hub.index, i] * CONTRACTOR_COST_EUR, hub.currency)
            line(some_day(first, last), hub, None, "CLOUD", "USAGE", rng.uniform(2_000, 9_000), "USD")
            line(some_day(first, last), hub, None, "OTHER", "PURCHASE", rng.uniform(300, 3_000), "EUR")
            if first.month == 1 or hub.opened_on >= first:
                line(some_day(first, last), hub, None, "LICENSE", "PURCHASE", rng.uniform(10_000, 40_000), "GBP"
                     if hub.currency == "GBP" else "EUR")
            if rng.random() < 0.12:
                line(some_day(first, last), hub, None, "CLOUD", "CREDIT", -rng.uniform(200, 2_500), "USD")
            if rng.random() < 0.06:
                line(some_day(first, last), hub, None, "OTHER", "ADJUSTMENT", rng.normal(0, 1_500), "EUR")
            for solution in by_hub[hub.index]:
                stage = solution.stage_on(last)
                scale = {"POC": 600, "PILOT": 2_000, "PRODUCTION": 4_500}.get(stage)
                if scale is None:
                    continue
                line(some_day(first, last), hub, solution, "CLOUD", "USAGE", rng.lognormal(np.log(scale), 0.4), "USD")
                if rng.random() < 0.04:
                    line(some_day(first, last), hub, solution, "LICENSE", "PURCHASE",
                         rng.uniform(1_000, 8_000), "EUR")
                if rng.random() < 0.05:
                    line(some_day(first, last), hub, solution, "CLOUD", "CREDIT", -rng.uniform(100, 800), "USD")
                if stage == "PILOT" and rng.random() < 0.3:
                    line(some_day(first, last), hub, solution, "CONTRACTOR", "PURCHASE",
                         rng.uniform(3_000, 15_000), "EUR")
    frame = pd.DataFrame(rows, columns=["posting_date", "hub_id", "solution_id", "cost_category",
                                        "charge_type", "amount", "currency"])
    frame = frame.sort_values(["posting_date", "hub_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "line_id", [f"GL{i + 1:08d}" for i in range(len(frame))])
    frame["posting_date"] = frame["posting_date"].map(dt.date.isoformat)
    frame["amount"] = frame["amount"].map(lambda a: f"{a:.2f}")
    return frame


def open_months(hub: Hub, year: int) -> int:
    """Months of ``year`` the hub is open: from its opening month (or January) through its
    closing month (or December), as docs/sources.md counts a budget's months."""
    first = max(hub.opened_on.replace(day=1), dt.date(year, 1, 1))
    last = min(hub.closed_on.replace(day=1) if hub.closed_on else dt.date(year, 12, 1), dt.date(year, 12, 1))
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def budgets(rng: np.random.Generator, hubs: list[Hub], lines: pd.DataFrame, rates) -> pd.DataFrame:
    """Each year's budget, for the months of the year the hub is open (a partial year in its
    opening and closing years): the year's actual monthly spend times those months, times a
    planning error."""
    eur = lines["amount"].astype(float) * [
        rates[(dt.date.fromisoformat(d).replace(day=1), c)]
        for d, c in zip(lines["posting_date"], lines["currency"], strict=True)
    ]
    year = lines["posting_date"].str[:4].astype(int)
    month = lines["posting_date"].str[:7]
    actual = pd.DataFrame({"hub_id": lines["hub_id"], "year": year, "month": month, "eur": eur})
    per_year = actual.groupby(["hub_id", "year"]).agg(eur=("eur", "sum"), months=("month", "nunique")).reset_index()
    hub_by_id = {hub.hub_id: hub for hub in hubs}
    budget_months = [open_months(hub_by_id[h], y) for h, y in zip(per_year["hub_id"], per_year["year"], strict=True)]
    factor = rng.uniform(0.88, 1.15, len(per_year))
    per_year["budget_eur"] = (per_year["eur"] / per_year["months"] * budget_months * factor / 1000).round() * 1000
    per_year["budget_eur"] = per_year["budget_eur"].map(lambda b: f"{b:.2f}")
    return per_year[["hub_id", "year", "budget_eur"]]
