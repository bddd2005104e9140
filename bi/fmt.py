"""How figures are shown: rates as percentages, money in EUR, missing values as a dash."""

from __future__ import annotations

import math

DASH = "–"


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value, digits: int = 1) -> str:
    return DASH if missing(value) else f"{value * 100:.{digits}f} %"


def pts(value, digits: int = 1) -> str | None:
    """A difference of two rates, in percentage points (for a metric's delta)."""
    return None if missing(value) else f"{value * 100:+.{digits}f} pts"


def eur(value) -> str:
    if missing(value):
        return DASH
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e6:
        return f"{sign}€{value / 1e6:.2f} M"
    if value >= 1e3:
        return f"{sign}€{value / 1e3:.0f} k"
    return f"{sign}€{value:.0f}"


def num(value, digits: int = 0) -> str:
    return DASH if missing(value) else f"{value:,.{digits}f}"
