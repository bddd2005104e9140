"""Which exit_reasons rows may show why people left (docs/kpis.md, exit_reasons; docs/privacy.md).

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
   row of a combination that isolates it, in yield order (fewest exits first; a YEAR row before
   a quarter on a tie), is taken away, until none does; new rows the group did not need are
   put back. Cells whose count of a reason the shown rows fix at 0 or at all their leavers
   (the bounds 0 <= count <= leavers, found by linear programming) are known to the attacker;
   such a cell of fewer than min_group_size leavers is itself a disclosure, unless a shown row
   where everybody left for the same reason (or nobody did) fixes it: that, a homogeneous
   group of at least min_group_size tells of each member, and the threshold rule accepts.

The decision for a release uses only the cells of its own and earlier periods, so re-running
on a later night gives the same decisions for rows already published: nothing shown changes.

A dbt Python model, run in the dbt process on both engines (dbt-duckdb; on Spark through
dagster_project/dbt_spark_session.py, in dbt's local SparkSession); the functions above
``model`` are plain pandas/numpy/scipy and are imported by the tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
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
    in_period = ((quarter >= rows["period_start"].to_numpy()[:, None])
                 & (quarter <= rows["period_end"].to_numpy()[:, None]))
    return in_scope & in_period


def homogeneous_cells(member: np.ndarray, rows: pd.DataFrame, shown: np.ndarray) -> dict[str, np.ndarray]:
    """Per reason, the cells of shown rows whose leavers all left for it, or none did: what the
    threshold rule accepts that a group of at least min_group_size tells of each member."""
    exits = rows["exits"].to_numpy()
    accepted = {}
    for reason in REASONS:
        value = rows[reason].to_numpy()
        accepted[reason] = member[shown & (exits > 0) & ((value == 0) | (value == exits))].any(axis=0)
    return accepted


def _bounds_lp(member: np.ndarray, values: np.ndarray, shown: np.ndarray, cell_exits: np.ndarray,
               objective: np.ndarray, extra: int = 0):
    """HiGHS on: rows shown = their published values, 0 <= count <= leavers per cell, plus
    ``extra`` slack variables t per cell with count - t >= 0 and count + t <= leavers (sparse)."""
    n = cell_exits.size
    index = np.flatnonzero(shown & member.any(axis=1))
    a_eq = b_eq = a_ub = b_ub = None
    if index.size:
        a_eq = sparse.hstack([sparse.csr_matrix(member[index].astype(float)),
                              sparse.csr_matrix((index.size, n * extra))])
        b_eq = values[index].astype(float)
    if extra:
        eye = sparse.identity(n, format="csr")
        a_ub = sparse.vstack([sparse.hstack([-eye, eye]), sparse.hstack([eye, eye])])
        b_ub = np.concatenate([np.zeros(n), cell_exits.astype(float)])
    bounds = [(0, e) for e in cell_exits] + [(0, 1)] * (n * extra)
    result = linprog(objective[:n * (1 + extra)], A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                     method="highs")
    if result.status != 0:
        raise RuntimeError(f"exit_reasons: the linear program failed: {result.message}")
    return result, index


def pinned_cells(member: np.ndarray, values: np.ndarray, shown: np.ndarray, cell_exits: np.ndarray) -> np.ndarray:
    """Cells whose count the shown rows fix at 0 or at all the cell's leavers: the bounds that
    hold with equality at every solution of the linear system (found by maximising a slack t
    per cell, again over the cells still without slack, until no new one gets any)."""
    n = cell_exits.size
    slack = np.zeros(n, dtype=bool)
    while n:
        objective = np.concatenate([np.zeros(n), -(~slack).astype(float)])
        result, _ = _bounds_lp(member, values, shown, cell_exits, objective, extra=1)
        new = (result.x[n:] > 1e-7) & ~slack
        if not new.any():
            break
        slack |= new
    return ~slack


def known_cells(member: np.ndarray, rows: pd.DataFrame, shown: np.ndarray,
                cell_exits: np.ndarray) -> dict[str, np.ndarray]:
    """Per reason, the cells whose count the shown rows fix at a bound (0 or all their leavers).
    Two exit types fixed give the third; no voluntary leaver means no regretted one."""
    known = {r: pinned_cells(member, rows[r].to_numpy(), shown, cell_exits) for r in REASONS}
    exit_types_known = sum(known[t].astype(int) for t in EXIT_TYPES) >= 2
    for t in EXIT_TYPES:
        known[t] = known[t] | exit_types_known
    return known


def pinning_rows(member: np.ndarray, rows: pd.DataFrame, shown: np.ndarray, reason: str,
                 cell_exits: np.ndarray, cell: int) -> np.ndarray:
    """The shown rows whose published values fix ``cell``'s count at a bound: the equality
    constraints with a nonzero dual in the linear program that maximises (or minimises) it."""
    n = cell_exits.size
    values = rows[reason].to_numpy()
    objective = np.zeros(n)
    objective[cell] = -1.0  # maximise the count: a pin at 0 shows here
    result, index = _bounds_lp(member, values, shown, cell_exits, objective)
    if -result.fun > 1e-7:  # not pinned at 0: pinned at all its leavers, shown by minimising
        objective[cell] = 1.0
        result, index = _bounds_lp(member, values, shown, cell_exits, objective)
    involved = np.zeros(len(rows), dtype=bool)
    involved[index[np.abs(result.eqlin.marginals) > 1e-9]] = True
    return involved


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
    if result.status == 2:  # infeasible: no such group
        return None
    if result.status != 0:
        raise RuntimeError(f"exit_reasons: the disclosure search failed: {result.message}")
    group = np.zeros_like(unknown)
    group[np.flatnonzero(small)[result.x[n_rows:] > 0.5]] = True
    return group


def combination(member: np.ndarray, shown: np.ndarray, unknown: np.ndarray, group: np.ndarray) -> np.ndarray | None:
    """Coefficients on the rows (0 off ``shown``) of a linear combination of the shown rows that
    equals ``group``'s indicator over the ``unknown`` cells; None if there is none (a linear
    program: HiGHS on the sparse 0/1 system)."""
    index = np.flatnonzero(shown)
    a = member[np.ix_(index, np.flatnonzero(unknown))].astype(float).T  # unknown cells x shown rows
    target = group[unknown].astype(float)
    if a.shape[1] == 0:
        return None
    result = linprog(np.zeros(a.shape[1]), A_eq=a, b_eq=target, bounds=(None, None), method="highs")
    if result.status == 2:  # infeasible: not a combination of the shown rows
        return None
    if result.status != 0:
        raise RuntimeError(f"exit_reasons: the linear program failed: {result.message}")
    coefficients = np.zeros(len(shown))
    coefficients[index] = result.x
    return coefficients


def yield_order(rows: pd.DataFrame, candidates: np.ndarray) -> list[int]:
    """Candidates in the order they give way (spec: among the new rows, fewest exits first);
    on equal exits a YEAR row before a quarter, then by scope."""
    frame = rows.iloc[candidates]  # rows has a 0..n-1 index: labels are positions
    order = frame.assign(quarter_first=frame["period_type"] != "YEAR").sort_values(
        ["exits", "quarter_first", "scope"], kind="stable")
    return list(order.index)


def _first_new(rows: pd.DataFrame, candidates: np.ndarray) -> int:
    if not candidates.any():
        raise RuntimeError("exit_reasons: rows already published tell a small group's reasons; "
                           "were the exits of earlier periods corrected in the sources?")
    return yield_order(rows, np.flatnonzero(candidates))[0]


def _next_victims(rows: pd.DataFrame, member: np.ndarray, cell_exits: np.ndarray, tried: np.ndarray,
                  shown: np.ndarray, min_group_size: int) -> list[int]:
    """New rows to suppress so that one disclosure found among the ``tried`` rows goes; empty
    when there is none. Two kinds, for each reason:

    - a small cell whose count the rows fix at 0 or at all its leavers, other than through a
      shown row whose leavers all left for that reason (or none did): the first new row, in
      yield order, among those whose values fix it (nonzero duals), for every such cell at once;
    - a small group isolated by a linear combination of the rows, once the fixed cells are
      known: while a combination isolates it, its first new row in yield order is taken away;
      then those the group did not need are put back (the most useful first).
    """
    new = tried & ~shown & (rows["exits"].to_numpy() > 0)
    known = known_cells(member, rows, tried, cell_exits)
    accepted = homogeneous_cells(member, rows, tried)
    small = cell_exits < min_group_size
    victims = set()  # one per told cell: each fix is cheap next to a new audit
    for reason in REASONS:
        for cell in np.flatnonzero(known[reason] & ~accepted[reason] & small):
            involved = pinning_rows(member, rows, tried, reason, cell_exits, cell)
            if involved.any():  # else fixed only through two other exit types: see those
                victims.add(_first_new(rows, new & involved))
    if victims:
        return sorted(victims)
    searched = []
    for reason in REASONS:
        if any((known[reason] == k).all() for k in searched):
            continue  # same unknown cells as a reason already searched: same answer
        searched.append(known[reason])
        unknown = ~known[reason]
        group = find_disclosure(member, cell_exits, tried, unknown, min_group_size)
        if group is None:
            continue
        remaining, removed = tried.copy(), []
        while (coefficients := combination(member, remaining, unknown, group)) is not None:
            victim = _first_new(rows, new & remaining & (np.abs(coefficients) > 1e-9))
            remaining[victim] = False
            removed.append(victim)
        for i in reversed(removed[:-1]):
            remaining[i] = True
            if combination(member, remaining, unknown, group) is not None:
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
    cells = cells[cells["exits"] > 0].sort_values(["quarter_start", "hub_id"], kind="stable")
    decisions = pd.Series([None] * len(rows), dtype=object)
    years = rows["period_start"].dt.year
    cell_years = cells["quarter_start"].dt.year
    for year in years.unique():
        in_year = np.flatnonzero(years == year)
        decisions.iloc[in_year] = _suppress_year(rows.iloc[in_year], cells[cell_years == year].reset_index(drop=True),
                                                 min_group_size, complementary)
    return rows[KEY].assign(suppression=decisions, is_suppressed=decisions.notna())


DATE_COLUMNS = ("period_start", "period_end", "quarter_start")
SPARK_SCHEMA = "scope string, period_type string, period_start date, suppression string, is_suppressed boolean"


def _frame(relation) -> pd.DataFrame:
    """A ref as pandas: a DuckDB relation (``.df()``) or a Spark DataFrame (``.toPandas()``, whose
    dates come as objects: made datetime64 as DuckDB gives them)."""
    if hasattr(relation, "df"):
        return relation.df()
    frame = relation.toPandas()
    for column in DATE_COLUMNS:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def _result(session, frame: pd.DataFrame):
    """The model's result for the engine: pandas for DuckDB, a Spark DataFrame for Spark."""
    if not hasattr(session, "createDataFrame"):
        return frame
    records = [(r.scope, r.period_type, r.period_start.date(), r.suppression, bool(r.is_suppressed))
               for r in frame.itertuples(index=False)]
    return session.createDataFrame(records, SPARK_SCHEMA)


def model(dbt, session):
    dbt.config(materialized="table")
    rows = _frame(dbt.ref("int_hr__exit_reason_rows"))
    cells = _frame(dbt.ref("int_hr__exit_reason_cells"))
    if rows.empty:
        return _result(session, rows[KEY].assign(suppression=pd.Series(dtype=object),
                                                 is_suppressed=pd.Series(dtype=bool)))
    return _result(session, suppress(rows, cells, int(rows["min_group_size"].iloc[0])))
