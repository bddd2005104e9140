"""Which exit_reasons rows may show why people left (spec/kpis.md, exit_reasons; docs/privacy.md).

Every candidate row (``int_hr__exit_reason_rows``: a hub or COMPANY x a completed quarter or
year) is a sum of hub x quarter cells (``int_hr__exit_reason_cells``). Exits are public; the
reason counts (voluntary, involuntary, other, regretted) of a row are shown only when no
combination of shown rows isolates the reasons of a group of 1 to min_group_size - 1 leavers:

1. **Primary**: a row with 1 to min_group_size - 1 exits is suppressed.
2. **Complementary**: rows are released in the order their period ends (Q1, Q2, Q3, then Q4
   with the YEAR rows), one calendar year at a time (no row spans two years, so years never
   combine). Rows an earlier release showed stay shown. The rows of a release are tried
   together with every shown row; while an integer program (``find_disclosure``) finds a
   group of fewer than min_group_size leavers whose indicator is a linear combination of
   shown rows -- subtraction across hubs, quarters and years, in any nesting -- the first new
   row of a combination that isolates it, in yield order (a YEAR row before a quarter, fewer
   exits first), is taken away, until none does; new rows the group did not need are put back.
   Cells whose reason is already told by a shown row where everybody left for the same reason
   (a homogeneous group of at least min_group_size) count as known to the attacker.

The decision for a release uses only the cells of its own and earlier periods, so re-running
on a later night gives the same decisions for rows already published: nothing shown changes.

A dbt Python model (dbt-duckdb runs it in the dbt process); the functions above ``model`` are
plain pandas/numpy/scipy and are imported by the tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

KEY = ["scope", "period_type", "period_start"]
EXIT_TYPES = ("voluntary_exits", "involuntary_exits", "other_exits")
REASONS = (*EXIT_TYPES, "regretted_exits")
PRIMARY, COMPLEMENTARY = "PRIMARY", "COMPLEMENTARY"
COMPANY = "COMPANY"


def membership(rows: pd.DataFrame, cells: pd.DataFrame) -> np.ndarray:
    """rows x cells: True where the cell's exits are part of the row (same hub unless COMPANY,
    quarter inside the period)."""
    in_scope = (rows["scope"].to_numpy()[:, None] == COMPANY) | (
        rows["scope"].to_numpy()[:, None] == cells["hub_id"].to_numpy()[None, :])
    quarter = cells["quarter_start"].to_numpy()[None, :]
    in_period = (quarter >= rows["period_start"].to_numpy()[:, None]) & (quarter <= rows["period_end"].to_numpy()[:, None])
    return in_scope & in_period


def known_cells(member: np.ndarray, rows: pd.DataFrame, shown: np.ndarray) -> dict[str, np.ndarray]:
    """Per reason, the cells whose count of that reason a shown row tells outright: the row's
    leavers all left for it, or none did. Two exit types known give the third; no voluntary
    leaver means no regretted one."""
    exits = rows["exits"].to_numpy()
    known = {}
    for reason in REASONS:
        value = rows[reason].to_numpy()
        homogeneous = shown & (exits > 0) & ((value == 0) | (value == exits))
        known[reason] = member[homogeneous].any(axis=0)
    exit_types_known = sum(known[t].astype(int) for t in EXIT_TYPES) >= 2
    for t in EXIT_TYPES:
        known[t] = known[t] | exit_types_known
    no_voluntary = shown & (exits > 0) & (rows["voluntary_exits"].to_numpy() == 0)
    known["regretted_exits"] = known["regretted_exits"] | member[no_voluntary].any(axis=0)
    return known


def find_disclosure(member: np.ndarray, cell_exits: np.ndarray, shown: np.ndarray, unknown: np.ndarray,
                    min_group_size: int) -> np.ndarray | None:
    """A group of 1 to ``min_group_size`` - 1 leavers among the ``unknown`` cells that a linear
    combination of the ``shown`` rows isolates (a boolean mask over the cells), or None.

    Mixed-integer program: g (one 0/1 per small unknown cell) = sum of lambda_r x row r over
    every unknown cell, lambda real; 1 <= exits of g <= min_group_size - 1. It looks for the
    group with the fewest leavers (then the first cells), so that the answer is reproducible.
    """
    rows = np.flatnonzero(shown & member[:, unknown].any(axis=1))
    small = unknown & (cell_exits < min_group_size)
    if rows.size == 0 or not small.any():
        return None
    a = member[np.ix_(rows, np.flatnonzero(unknown))].T.astype(float)  # unknown cells x rows
    pick = -np.eye(int(unknown.sum()))[:, small[unknown]]  # -g on the small cells
    n_rows, n_small = rows.size, int(small.sum())
    weights = cell_exits[small].astype(float)
    tie_break = np.arange(1, n_small + 1) / (n_small + 1) ** 2  # never outweighs one leaver
    result = milp(
        c=np.concatenate([np.zeros(n_rows), weights + tie_break]),
        constraints=[LinearConstraint(np.hstack([a, pick]), 0, 0),
                     LinearConstraint(np.concatenate([np.zeros(n_rows), weights])[None, :], 1, min_group_size - 1)],
        integrality=np.concatenate([np.zeros(n_rows), np.ones(n_small)]),
        bounds=Bounds(np.concatenate([np.full(n_rows, -np.inf), np.zeros(n_small)]),
                      np.concatenate([np.full(n_rows, np.inf), np.ones(n_small)])))
    if result.status != 0:  # 2 = infeasible: no such group
        return None
    group = np.zeros_like(unknown)
    group[np.flatnonzero(small)[result.x[n_rows:] > 0.5]] = True
    return group


def combination(member: np.ndarray, rows: pd.DataFrame, shown: np.ndarray, reason: str,
                group: np.ndarray) -> np.ndarray | None:
    """Coefficients on the rows (0 off ``shown``) of a linear combination of the shown rows that
    equals ``group``'s indicator over the cells they leave unknown for ``reason``; None if there
    is none (a linear program: HiGHS on the sparse 0/1 system)."""
    unknown = ~known_cells(member, rows, shown)[reason]
    index = np.flatnonzero(shown)
    a = member[np.ix_(index, np.flatnonzero(unknown))].astype(float).T  # unknown cells x shown rows
    target = group[unknown].astype(float)
    if a.shape[1] == 0:
        return None
    result = linprog(np.zeros(a.shape[1]), A_eq=a, b_eq=target, bounds=(None, None), method="highs")
    if result.status != 0:  # 2 = infeasible: not a combination of the shown rows
        return None
    coefficients = np.zeros(len(shown))
    coefficients[index] = result.x
    return coefficients


def yield_order(rows: pd.DataFrame, candidates: np.ndarray) -> list[int]:
    """Candidates in the order they give way: YEAR rows first, then fewest exits."""
    frame = rows.iloc[candidates]  # rows has a 0..n-1 index: labels are positions
    order = frame.assign(quarter_first=frame["period_type"] != "YEAR").sort_values(
        ["quarter_first", "exits", "scope"], kind="stable")
    return list(order.index)


def _next_victims(rows: pd.DataFrame, member: np.ndarray, cell_exits: np.ndarray, tried: np.ndarray,
                  shown: np.ndarray, min_group_size: int) -> list[int]:
    """New rows to suppress so that one group found isolated among the ``tried`` rows is not:
    while a combination isolates it, the first new row of that combination in yield order is
    taken away; then those the group did not need are put back (the most useful first).
    Empty when no group is isolated."""
    known = known_cells(member, rows, tried)
    new = tried & ~shown & (rows["exits"].to_numpy() > 0)
    searched = []
    for reason in REASONS:
        if any((known[reason] == k).all() for k in searched):
            continue  # same unknown cells as a reason already searched: same answer
        searched.append(known[reason])
        group = find_disclosure(member, cell_exits, tried, ~known[reason], min_group_size)
        if group is None:
            continue
        remaining, removed = tried.copy(), []
        while (coefficients := combination(member, rows, remaining, reason, group)) is not None:
            involved = np.flatnonzero(new & remaining & (np.abs(coefficients) > 1e-9))
            if involved.size == 0:  # isolated through cells a new homogeneous row made known
                involved = np.flatnonzero(new & remaining & member[:, member[np.abs(coefficients) > 1e-9].any(axis=0)].any(axis=1))
            if involved.size == 0:
                raise RuntimeError("exit_reasons: rows already published isolate a small group; "
                                   "were the exits of earlier periods corrected in the sources?")
            victim = yield_order(rows, involved)[0]
            remaining[victim] = False
            removed.append(victim)
        for i in reversed(removed[:-1]):
            remaining[i] = True
            if combination(member, rows, remaining, reason, group) is not None:
                remaining[i] = False
        return [i for i in removed if not remaining[i]]
    return []


def _suppress_year(rows: pd.DataFrame, cells: pd.DataFrame, min_group_size: int, complementary: bool) -> list:
    """The suppression of each row of one calendar year (None = shown)."""
    rows = rows.reset_index(drop=True)
    member = membership(rows, cells)
    cell_exits = cells["exits"].to_numpy()
    exits = rows["exits"].to_numpy()
    decision: list = [None] * len(rows)
    shown = np.zeros(len(rows), dtype=bool)
    for release in sorted(rows["period_end"].unique()):
        new = np.flatnonzero(rows["period_end"].to_numpy() == release)
        for i in new:
            if 0 < exits[i] < min_group_size:
                decision[i] = PRIMARY
        tried = shown.copy()
        tried[[i for i in new if decision[i] is None]] = True
        while complementary and (victims := _next_victims(rows, member, cell_exits, tried, shown, min_group_size)):
            for i in victims:
                decision[i], tried[i] = COMPLEMENTARY, False
        shown = tried
    return decision


def suppress(rows: pd.DataFrame, cells: pd.DataFrame, min_group_size: int, complementary: bool = True) -> pd.DataFrame:
    """``rows`` keyed by KEY with a column ``suppression``: None, PRIMARY or COMPLEMENTARY."""
    rows = rows.sort_values(KEY, kind="stable").reset_index(drop=True)
    cells = cells[cells["exits"] > 0]
    decisions = pd.Series([None] * len(rows), dtype=object)
    years = rows["period_start"].dt.year
    cell_years = cells["quarter_start"].dt.year
    for year in years.unique():
        in_year = np.flatnonzero(years == year)
        decisions.iloc[in_year] = _suppress_year(rows.iloc[in_year], cells[cell_years == year].reset_index(drop=True),
                                                 min_group_size, complementary)
    return rows[KEY].assign(suppression=decisions, is_suppressed=decisions.notna())


def model(dbt, session):
    dbt.config(materialized="table")
    rows = dbt.ref("int_hr__exit_reason_rows").df()
    cells = dbt.ref("int_hr__exit_reason_cells").df()
    if rows.empty:
        return rows[KEY].assign(suppression=pd.Series(dtype=object), is_suppressed=pd.Series(dtype=bool))
    return suppress(rows, cells, int(rows["min_group_size"].iloc[0]))
