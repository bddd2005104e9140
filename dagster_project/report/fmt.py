"""How figures are written in the report (the same rules as the JavaScript of assets/charts.js)."""

from __future__ import annotations

import datetime as dt

NOT_AVAILABLE = "n/a"


def fmt_int(value) -> str:
    return NOT_AVAILABLE if value is None else f"{round(value):,}"


def fmt_pct(value) -> str:
    """A fraction as a percentage with one decimal: 0.8432 -> '84.3 %'."""
    return NOT_AVAILABLE if value is None else f"{value * 100:.1f} %"


def fmt_eur(value) -> str:
    """EUR with a magnitude: 'EUR 1.88 M', 'EUR 75.1 k', 'EUR 950'."""
    if value is None:
        return NOT_AVAILABLE
    sign, size = ("−" if value < 0 else ""), abs(value)
    if size >= 1e6:
        return f"EUR {sign}{size / 1e6:.2f} M"
    if size >= 1e3:
        return f"EUR {sign}{size / 1e3:.1f} k"
    return f"EUR {sign}{size:.0f}"


def fmt_days(value) -> str:
    return NOT_AVAILABLE if value is None else f"{value:.0f} days"


def month_label(month: dt.date) -> str:
    return month.strftime("%B %Y")
