"""The executive summary: the headline figures at as_of_month, each with its value a year
earlier, its direction of change and one plain-language sentence.

Every figure is read or summed from the published tables (docs/kpis.md), never recomputed from
people: a figure the tables do not hold is ``None`` and shown as "not available".
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from dagster_project.report.data import Publication
from dagster_project.report.fmt import fmt_days, fmt_eur, fmt_int, fmt_pct, month_label

DEFAULT_MIN_GROUP_SIZE = 5  # docs/kpis.md; used only when the manifest does not record it


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | int | None
    text: str  # the value as shown
    previous: float | int | None
    good_when: str | None  # "up", "down" or None (neither direction is better)
    sentence: str
    small_sample: bool = False
    suppressed: str | None = None  # PRIMARY / COMPLEMENTARY when the figure is hidden

    @property
    def previous_text(self) -> str:
        return "" if self.previous is None else PREVIOUS_FORMAT.get(self.key, fmt_pct)(self.previous)

    @property
    def direction(self) -> str | None:
        """"up", "down", "flat", or None without a comparison."""
        if self.value is None or self.previous is None:
            return None
        if abs(self.value - self.previous) < 1e-9:
            return "flat"
        return "up" if self.value > self.previous else "down"

    @property
    def is_good(self) -> bool | None:
        if self.direction in (None, "flat") or self.good_when is None:
            return None
        return self.direction == self.good_when


def signed_pct(value: float) -> str:
    return ("+" if value >= 0 else "−") + fmt_pct(abs(value))


PREVIOUS_FORMAT = {"hubs_at_critical_mass": str, "headcount": fmt_int, "median_days_poc_to_production": fmt_days,
                   "total_cost_ytd_eur": fmt_eur, "cost_per_production_solution_eur": fmt_eur,
                   "ytd_budget_variance_pct": signed_pct}  # every other figure is a rate


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def min_group_size(pub: Publication) -> int:
    value = pub.parameter("min_group_size")
    return int(value) if value is not None else DEFAULT_MIN_GROUP_SIZE


def as_of_month(pub: Publication) -> dt.date:
    return max(r["month"] for r in pub.rows("company_scorecard"))


def _scorecard(pub: Publication, month: dt.date) -> dict | None:
    return next((r for r in pub.rows("company_scorecard") if r["month"] == month), None)


def _ratio(num, den):
    return None if num is None or not den else num / den


def _change(value, previous, fmt, unit_word: str = "") -> str:
    if value is None or previous is None:
        return "no comparison a year earlier"
    return f"{fmt(previous)}{unit_word} a year earlier"


def _status_runs(pub: Publication, month: dt.date) -> list[tuple[str, str, int]]:
    """For each hub open in ``month`` and not MET: (hub name, status, months in that status so far)."""
    by_hub: dict[str, list[dict]] = {}
    for row in pub.rows("hub_critical_mass"):
        if row["month"] <= month:
            by_hub.setdefault(row["hub_id"], []).append(row)
    runs = []
    for rows in by_hub.values():
        rows.sort(key=lambda r: r["month"])
        if rows[-1]["month"] != month or rows[-1]["critical_mass_status"] == "MET":
            continue
        status, n = rows[-1]["critical_mass_status"], 0
        for row in reversed(rows):
            if row["critical_mass_status"] != status:
                break
            n += 1
        runs.append((rows[-1]["hub_name"], status, n))
    return sorted(runs, key=lambda r: (-r[2], r[0]))


def critical_mass_counts(pub: Publication, month: dt.date) -> dict[str, int]:
    counts = {"MET": 0, "AT_RISK": 0, "BELOW": 0}
    for row in pub.rows("hub_critical_mass"):
        if row["month"] == month:
            counts[row["critical_mass_status"]] += 1
    return counts


def _critical_mass(pub, month, year_ago) -> Figure:
    card, before = _scorecard(pub, month), _scorecard(pub, year_ago)
    counts = critical_mass_counts(pub, month)
    met, open_ = card["hubs_at_critical_mass"], card["hubs_open"]
    sentence = f"{met} of {open_} hubs at critical mass ({counts['AT_RISK']} at risk, {counts['BELOW']} below)"
    words = {"AT_RISK": "at risk", "BELOW": "below"}
    runs = _status_runs(pub, month)
    if runs:
        sentence += "; " + ", ".join(
            f"{name} has been {words[status]} for {n} month{'s' if n != 1 else ''}" for name, status, n in runs[:3])
        if len(runs) > 3:
            sentence += f" and {len(runs) - 3} more"
    return Figure("hubs_at_critical_mass", "Hubs at critical mass", met, f"{met} of {open_}",
                  before["hubs_at_critical_mass"] if before else None, "up", sentence + ".")


def _headcount(pub, month, year_ago) -> Figure:
    card, before = _scorecard(pub, month), _scorecard(pub, year_ago)
    value, previous = card["headcount"], before["headcount"] if before else None
    if previous is None:
        trend = "no headcount a year earlier"
    else:
        diff = value - previous
        trend = (f"{'+' if diff >= 0 else '−'}{fmt_int(abs(diff))} in 12 months"
                 + (f" ({'+' if diff >= 0 else '−'}{fmt_pct(abs(diff) / previous)})" if previous else ""))
    return Figure("headcount", "Headcount", value, f"{fmt_int(value)} people", previous, "up",
                  f"{fmt_int(value)} employees in the hubs at the end of {month_label(month)}, {trend}.")


def _company_opening_headcount(pub, month) -> int:
    return sum(r["opening_headcount"] for r in pub.rows("hub_retention") if r["month"] == month)


def _retention(pub, month, year_ago) -> Figure:
    card, before = _scorecard(pub, month), _scorecard(pub, year_ago)
    value, previous = card["retention_rate_12m"], before["retention_rate_12m"] if before else None
    opening = _company_opening_headcount(pub, month)
    small = opening < min_group_size(pub)
    text = fmt_pct(value)
    sentence = (f"{text} of the {fmt_int(opening)} people in a hub twelve months ago are still employed "
                f"({_change(value, previous, fmt_pct)}).")
    if small:
        sentence += " A small sample."
    return Figure("retention_rate_12m", "12-month retention", value, text, previous, "up", sentence, small)


def _attrition(pub, month, year_ago) -> Figure:
    card, before = _scorecard(pub, month), _scorecard(pub, year_ago)
    value, previous = card["attrition_rate_12m"], before["attrition_rate_12m"] if before else None
    exits = sum(r["exits_12m"] for r in pub.rows("hub_retention") if r["month"] == month)
    text = fmt_pct(value)
    return Figure("attrition_rate_12m", "12-month attrition", value, text, previous, "down",
                  f"{fmt_int(exits)} exits in the last 12 months, {text} of the average headcount "
                  f"({_change(value, previous, fmt_pct)}).")


def company_years(pub: Publication) -> list[dict]:
    """The COMPANY YEAR rows of exit_reasons, oldest first."""
    return sorted((r for r in pub.rows("exit_reasons") if r["scope"] == "COMPANY" and r["period_type"] == "YEAR"),
                  key=lambda r: r["period_start"])


def _regretted(pub) -> Figure:
    years = company_years(pub)
    if not years:
        return Figure("regretted_attrition_rate", "Regretted attrition", None, "not available", None, "down",
                      "No completed year in exit_reasons yet.")
    last = years[-1]
    before = years[-2] if len(years) > 1 else None
    previous = None if before is None or before["is_suppressed"] else before["regretted_attrition_rate"]
    year = last["period_start"].year
    if last["is_suppressed"]:
        reason = last["suppression"] or "PRIMARY"
        return Figure("regretted_attrition_rate", f"Regretted attrition {year}", None, "suppressed", previous, "down",
                      f"Why people left in {year} is suppressed ({reason.lower()}): it would tell the reasons of "
                      f"fewer than {min_group_size(pub)} leavers.", suppressed=reason)
    value = last["regretted_attrition_rate"]
    prev_text = (f"{fmt_pct(previous)} in {year - 1}" if previous is not None
                 else f"{year - 1} suppressed" if before is not None else f"no {year - 1} figure")
    return Figure("regretted_attrition_rate", f"Regretted attrition {year}", value, fmt_pct(value), previous, "down",
                  f"{fmt_int(last['regretted_exits'])} of {fmt_int(last['exits'])} leavers in {year} were regretted, "
                  f"{fmt_pct(value)} of the average headcount ({prev_text}).")


def _industrialization(pub, month, year_ago) -> Figure:
    card, before = _scorecard(pub, month), _scorecard(pub, year_ago)
    value, previous = card["industrialization_rate"], before["industrialization_rate"] if before else None
    window = pub.parameter("industrialization_window_days")
    within = f"{fmt_int(window)} days" if window is not None else "the industrialisation window"
    return Figure("industrialization_rate", "Industrialisation rate", value, fmt_pct(value), previous, "up",
                  f"{fmt_int(card['industrialized_pocs'])} of {fmt_int(card['eligible_pocs'])} POCs old enough "
                  f"to judge reached production within {within} ({_change(value, previous, fmt_pct)}).")


def median_days_to_production(pub: Publication, start: dt.date, end: dt.date) -> tuple[float | None, int]:
    """Median days_poc_to_production of the solutions first in production in (start, end]."""
    days = [r["days_poc_to_production"] for r in pub.rows("solution_lifecycle")
            if r["first_production_on"] is not None and start < r["first_production_on"] <= end
            and r["days_poc_to_production"] is not None]
    return (statistics.median(days) if days else None), len(days)


def _days_to_production(pub) -> Figure:
    end = pub.as_of_date
    start = end.replace(year=end.year - 1) if not (end.month == 2 and end.day == 29) else end - dt.timedelta(days=365)
    before_start = start.replace(year=start.year - 1) if not (start.month == 2 and start.day == 29) \
        else start - dt.timedelta(days=365)
    value, n = median_days_to_production(pub, start, end)
    previous, _ = median_days_to_production(pub, before_start, start)
    text = fmt_days(value)
    if value is None:
        sentence = "No solution reached production in the last 12 months."
    else:
        sentence = (f"Median from first POC to production for the {n} solution{'s' if n != 1 else ''} that went live "
                    f"in the last 12 months ({_change(value, previous, fmt_days)}).")
    return Figure("median_days_poc_to_production", "Median days POC → production", value, text, previous, "down",
                  sentence, small_sample=0 < n < min_group_size(pub))


def _adopted(pub, month, year_ago) -> Figure:
    card, before = _scorecard(pub, month), _scorecard(pub, year_ago)
    value, previous = card["adopted_share"], before["adopted_share"] if before else None
    rows = [r for r in pub.rows("solution_adoption")
            if r["month"] == month and r["stage"] == "PRODUCTION" and (r["target_users"] or 0) > 0]
    adopted = sum(1 for r in rows if r["is_adopted"])
    threshold = pub.parameter("adoption_threshold")
    of_target = (f"at least {fmt_pct(threshold)} of their target users" if threshold is not None
                 else "their adoption threshold")
    return Figure("adopted_share", "Adopted production solutions", value, fmt_pct(value), previous, "up",
                  f"{adopted} of {len(rows)} production solutions with a target reach {of_target} "
                  f"({_change(value, previous, fmt_pct)}).")


def _ytd_cost(pub, month, year_ago) -> Figure:
    cards = pub.rows("company_scorecard")
    value = sum(r["total_cost_eur"] for r in cards if r["month"].year == month.year and r["month"] <= month)
    earlier = [r["total_cost_eur"] for r in cards if r["month"].year == year_ago.year and r["month"] <= year_ago]
    previous = sum(earlier) if any(r["month"] == year_ago for r in cards) else None
    text = fmt_eur(value)
    change = ""
    if previous:
        diff = value / previous - 1
        change = f", {'+' if diff >= 0 else '−'}{fmt_pct(abs(diff))} on the same months of {year_ago.year}"
    return Figure("total_cost_ytd_eur", f"Total cost {month.year} to date", value, text, previous, None,
                  f"{text} spent from January to {month_label(month)}{change}.")


def _cost_per_production_solution(pub, month, year_ago) -> Figure:
    card, before = _scorecard(pub, month), _scorecard(pub, year_ago)
    value = card["cost_per_production_solution_eur"]
    previous = before["cost_per_production_solution_eur"] if before else None
    return Figure("cost_per_production_solution_eur", "Cost per production solution", value, fmt_eur(value),
                  previous, "down",
                  f"{fmt_eur(card['total_cost_eur'])} spent in {month_label(month)} over "
                  f"{fmt_int(card['solutions_in_production'])} solutions in production "
                  f"({_change(value, previous, fmt_eur)}).")


def budget_variance(pub: Publication, month: dt.date) -> tuple[float | None, float | None, int, int]:
    """(variance EUR, variance / budget, hubs over budget, hubs with a budget) year to date at ``month``."""
    rows = [r for r in pub.rows("hub_costs") if r["month"] == month and r["ytd_budget_eur"] is not None]
    if not rows:
        return None, None, 0, 0
    variance = sum(r["ytd_budget_variance_eur"] for r in rows)
    budget = sum(r["ytd_budget_eur"] for r in rows)
    over = sum(1 for r in rows if r["ytd_budget_variance_eur"] > 0)
    return variance, _ratio(variance, budget), over, len(rows)


def _budget(pub, month, year_ago) -> Figure:
    variance, pct, over, hubs = budget_variance(pub, month)
    _, previous, _, _ = budget_variance(pub, year_ago)
    if pct is None:
        return Figure("ytd_budget_variance_pct", "Budget variance to date", None, "no budget", previous, "down",
                      f"No hub has a budget for {month.year}.")
    side = "over" if variance > 0 else "under"
    text = signed_pct(pct)
    return Figure("ytd_budget_variance_pct", "Budget variance to date", pct, text, previous, "down",
                  f"{fmt_eur(abs(variance))} {side} budget from January to {month_label(month)}; "
                  f"{over} of {hubs} hubs over budget"
                  + (f" (a year earlier {signed_pct(previous)})." if previous is not None else "."))


def executive_summary(pub: Publication) -> list[Figure]:
    month = as_of_month(pub)
    year_ago = add_months(month, -12)
    return [
        _critical_mass(pub, month, year_ago),
        _headcount(pub, month, year_ago),
        _retention(pub, month, year_ago),
        _attrition(pub, month, year_ago),
        _regretted(pub),
        _industrialization(pub, month, year_ago),
        _days_to_production(pub),
        _adopted(pub, month, year_ago),
        _ytd_cost(pub, month, year_ago),
        _cost_per_production_solution(pub, month, year_ago),
        _budget(pub, month, year_ago),
    ]
