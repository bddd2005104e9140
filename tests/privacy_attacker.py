"""An attacker on the published exit reasons (docs/kpis.md, Privacy; docs/privacy.md).

Written apart from the suppression it attacks, it knows only what a reader of the publication
knows: every published table of one or more nightly publications -- so the exits of every hub
and month (``hub_headcount_bridge``, summed here into hub x quarter cells) and every shown
``exit_reasons`` row -- and looks, in each calendar year, for a group of 1 .. min_group_size - 1
leavers (a set of cells) whose count of a reason (voluntary, involuntary, other, regretted) it
can tell, in two ways:

- **differencing**: the group is a linear combination of shown rows (subtraction across hubs,
  quarters, years and nights, with any coefficients), found by exact linear algebra over every
  such group;
- **bounds**: an integer program (scipy's ``milp``) fixes the group's count, using the shown
  figures, 0 <= count <= leavers, voluntary + involuntary + other = exits and regretted <=
  voluntary. Every cell alone, and groups of several cells.

Not counted, because the threshold rule accepts it: a group of at least min_group_size leavers
that the publication tells exactly (a shown row, or a linear combination of shown rows) in which
everybody left for the same reason, or nobody did for some reason, tells that of each member.
So a group told either way is a finding only if it is not already told by those facts alone
(with voluntary + involuntary + other = exits and regretted <= voluntary): the **baseline**.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import null_space
from scipy.optimize import Bounds, LinearConstraint, milp

REASONS = ("voluntary_exits", "involuntary_exits", "other_exits", "regretted_exits")
VOL, INV, OTH, REG = range(4)
KEY = ["scope", "period_type", "period_start"]


@dataclass(frozen=True)
class Finding:
    how: str  # "differencing" or "bounds"
    year: int
    cells: tuple[tuple[str, str], ...]  # (hub_id, first day of the quarter)
    leavers: int
    reason: str
    value: int | None  # the count told (None when found by differencing, value-blind)


def public_cells(bridge: pd.DataFrame) -> pd.DataFrame:
    """Hub x quarter exits from the bridge's monthly exits (public); only cells with exits."""
    frame = bridge.assign(quarter=pd.to_datetime(bridge["month"]).dt.to_period("Q").dt.start_time)
    cells = frame.groupby(["hub_id", "quarter"], as_index=False)["exits"].sum()
    return cells[cells["exits"] > 0].reset_index(drop=True)


def shown_rows(publications: list[pd.DataFrame]) -> pd.DataFrame:
    """The shown exit_reasons rows of several nights together; a row shown on two nights must
    say the same both times."""
    rows = pd.concat([p[~p["is_suppressed"].astype(bool)] for p in publications], ignore_index=True)
    rows = rows.assign(period_start=pd.to_datetime(rows["period_start"]), period_end=pd.to_datetime(rows["period_end"]))
    distinct = rows.drop_duplicates([*KEY, "exits", *REASONS])
    changed = distinct[distinct.duplicated(KEY, keep=False)]
    assert changed.empty, f"rows changed from one night to the next:\n{changed}"
    return distinct.reset_index(drop=True)


class YearAttack:
    """One calendar year: its cells, the shown rows over them, and the two searches."""

    def __init__(self, cells: pd.DataFrame, rows: pd.DataFrame, min_group_size: int):
        self.cells = cells.reset_index(drop=True)
        self.exits = self.cells["exits"].to_numpy()
        self.n = len(self.cells)
        self.k = min_group_size
        self.rows = rows.reset_index(drop=True)
        scope = self.rows["scope"].to_numpy()[:, None]
        quarter = self.cells["quarter"].to_numpy()[None, :]
        self.member = ((scope == "COMPANY") | (scope == self.cells["hub_id"].to_numpy()[None, :])) & (
            quarter >= self.rows["period_start"].to_numpy()[:, None]) & (
            quarter <= self.rows["period_end"].to_numpy()[:, None])
        assert (self.member.astype(int) @ self.exits == self.rows["exits"].to_numpy()).all(), \
            "exit_reasons and the bridge disagree on exits"
        self._constraints = self._equations()
        self.completions: list[np.ndarray] = []
        self._bounds: dict[tuple[tuple[int, ...], int], tuple[int, int]] = {}

    # ---- the integer program -------------------------------------------------------------
    def _index(self, cell: int, reason: int) -> int:
        return 4 * cell + reason

    def _coupling(self) -> LinearConstraint:
        """voluntary + involuntary + other = exits and regretted <= voluntary, per cell."""
        rows, lo, hi = [], [], []
        for c in range(self.n):
            v = np.zeros(4 * self.n)
            v[[self._index(c, VOL), self._index(c, INV), self._index(c, OTH)]] = 1
            rows.append(v)
            lo.append(self.exits[c])
            hi.append(self.exits[c])
            v = np.zeros(4 * self.n)
            v[self._index(c, REG)], v[self._index(c, VOL)] = 1, -1
            rows.append(v)
            lo.append(-np.inf)
            hi.append(0)
        return LinearConstraint(np.array(rows).reshape(-1, 4 * self.n), lo, hi)

    def _equations(self) -> LinearConstraint:
        """The coupling and every shown row's published counts."""
        coupling = self._coupling()
        rows = [coupling.A]
        lo, hi = [coupling.lb], [coupling.ub]
        for r, row in self.rows.iterrows():
            for reason, column in enumerate(REASONS):
                v = np.zeros(4 * self.n)
                v[[self._index(c, reason) for c in np.flatnonzero(self.member[r])]] = 1
                rows.append(v[None, :])
                lo.append([row[column]])
                hi.append([row[column]])
        return LinearConstraint(np.vstack(rows), np.concatenate(lo).astype(float), np.concatenate(hi).astype(float))

    def _range(self, objective: np.ndarray, constraints: LinearConstraint, keep: bool = False) -> tuple[int, int]:
        """Least and greatest value of ``objective``; ``keep`` the solutions as completions of
        the publication (only when ``constraints`` are the publication's)."""
        ends = []
        for sign in (1, -1):
            result = milp(sign * objective, constraints=constraints, integrality=np.ones(4 * self.n),
                          bounds=Bounds(np.zeros(4 * self.n), np.repeat(self.exits, 4).astype(float)))
            assert result.status == 0, result.message  # the true counts are a completion
            if keep:
                self.completions.append(np.round(result.x).astype(int))
            ends.append(round(sign * result.fun))
        return ends[0], ends[1]

    def bounds(self, group: tuple[int, ...], reason: int) -> tuple[int, int]:
        """The least and greatest count of ``reason`` the group can have; keeps the completions."""
        if (group, reason) not in self._bounds:
            objective = np.zeros(4 * self.n)
            objective[[self._index(c, reason) for c in group]] = 1
            self._bounds[(group, reason)] = self._range(objective, self._constraints, keep=True)
        return self._bounds[(group, reason)]

    # ---- what the threshold rule accepts ----------------------------------------------------
    def homogeneous_group(self, cell: int, reason: int, full: bool) -> bool:
        """Whether a group of at least min_group_size leavers that contains ``cell`` is a linear
        combination of shown rows whose count of ``reason`` is 0 (or, ``full``, all of them)."""
        shown, n = len(self.rows), self.n
        values = self.rows[REASONS[reason]].to_numpy().astype(float)
        # variables: lambda per shown row (free), d per cell (0/1)
        a = np.hstack([self.member.T.astype(float), -np.eye(n)])  # combination = d
        value = np.concatenate([values, -self.exits * float(full)])[None, :]  # its count = 0 or all
        size = np.concatenate([np.zeros(shown), self.exits])[None, :]
        lower = np.concatenate([np.full(shown, -np.inf), np.zeros(n)])
        upper = np.concatenate([np.full(shown, np.inf), np.ones(n)])
        lower[shown + cell] = 1
        result = milp(np.zeros(shown + n), integrality=np.concatenate([np.zeros(shown), np.ones(n)]),
                      constraints=[LinearConstraint(a, 0, 0), LinearConstraint(value, 0, 0),
                                   LinearConstraint(size, self.k, np.inf)], bounds=Bounds(lower, upper))
        assert result.status in (0, 2), result.message
        return result.status == 0

    def baseline(self) -> LinearConstraint:
        """The coupling of the reasons and the facts homogeneous groups tell (cell, reason, value)."""
        facts = []
        for c in np.flatnonzero(self.exits < self.k):  # facts on cells of a small group
            for reason in range(4):
                low, high = self.bounds((c,), reason)
                if low == high and low in (0, self.exits[c]) and self.homogeneous_group(c, reason, low > 0):
                    v = np.zeros(4 * self.n)
                    v[self._index(c, reason)] = 1
                    facts.append((v, low))
        coupling = self._coupling()
        rows = [coupling.A] + [v[None, :] for v, _ in facts]
        return LinearConstraint(np.vstack(rows), np.concatenate([coupling.lb, [f for _, f in facts]]),
                                np.concatenate([coupling.ub, [f for _, f in facts]]))

    # ---- the two searches ----------------------------------------------------------------
    def small_groups(self, cells: list[int], max_cells: int) -> list[tuple[int, ...]]:
        cells = [c for c in cells if self.exits[c] < self.k]
        return [g for size in range(1, max_cells + 1) for g in itertools.combinations(cells, size)
                if self.exits[list(g)].sum() < self.k]

    def by_bounds(self, max_cells: int) -> list[tuple[tuple[int, ...], int, int]]:
        """(group, reason, count) for every small group whose count the integer program pins."""
        found = []
        for reason in range(4):
            for c in range(self.n):
                if self.exits[c] < self.k:
                    low, high = self.bounds((c,), reason)
                    if low == high:
                        found.append(((c,), reason, low))
        sampled = np.array(self.completions)  # every completion met so far, for a cheap first screen
        for reason in range(4):
            for group in self.small_groups(list(range(self.n)), max_cells):
                if len(group) == 1:
                    continue
                sums = sampled[:, [self._index(c, reason) for c in group]].sum(axis=1)
                if sums.min() != sums.max():
                    continue  # two completions disagree: not pinned
                low, high = self.bounds(group, reason)
                if low == high:
                    found.append((group, reason, low))
        return found

    def by_differencing(self, max_cells: int) -> list[tuple[tuple[int, ...], int]]:
        """(group, reason) for every small group whose indicator is a linear combination of the
        shown rows, once the cells of shown homogeneous rows are known: the group's indicator is
        orthogonal to every vector the shown rows map to zero."""
        found = []
        for reason, column in enumerate(REASONS):
            values, exits = self.rows[column].to_numpy(), self.rows["exits"].to_numpy()
            homogeneous = (exits > 0) & ((values == 0) | (values == exits))
            unknown = np.flatnonzero(~self.member[homogeneous].any(axis=0))
            matrix = self.member[:, unknown].astype(float)
            kernel = null_space(matrix) if matrix.shape[0] else np.eye(unknown.size)  # unknown x d
            position = {c: i for i, c in enumerate(unknown)}
            for group in self.small_groups(list(unknown), max_cells):
                if np.abs(kernel[[position[c] for c in group]].sum(axis=0)).max(initial=0) < 1e-9:
                    found.append((group, reason))
        return found

    def told_by_baseline(self, baseline: LinearConstraint, group: tuple[int, ...], reason: int) -> bool:
        objective = np.zeros(4 * self.n)
        objective[[self._index(c, reason) for c in group]] = 1
        low, high = self._range(objective, baseline)
        return low == high


def attack(bridge: pd.DataFrame, publications: list[pd.DataFrame], min_group_size: int,
           max_cells: int | None = None) -> list[Finding]:
    """Every group of 1 .. min_group_size - 1 leavers whose reasons the publications tell.

    Groups are sets of at most ``max_cells`` cells (default: any, up to min_group_size - 1).
    """
    max_cells = min(max_cells or min_group_size - 1, min_group_size - 1)
    cells = public_cells(bridge)
    rows = shown_rows(publications)
    findings = []
    for year in sorted(cells["quarter"].dt.year.unique()):
        year_cells = cells[cells["quarter"].dt.year == year].reset_index(drop=True)
        attacker = YearAttack(year_cells, rows[rows["period_start"].dt.year == year], min_group_size)

        def named(group, year_cells=year_cells):
            return tuple((year_cells["hub_id"][c], str(year_cells["quarter"][c].date())) for c in group)

        baseline = attacker.baseline()
        for group, reason, value in attacker.by_bounds(max_cells):
            if not attacker.told_by_baseline(baseline, group, reason):
                findings.append(Finding("bounds", int(year), named(group), int(attacker.exits[list(group)].sum()),
                                        REASONS[reason], value))
        for group, reason in attacker.by_differencing(max_cells):
            if not attacker.told_by_baseline(baseline, group, reason):
                findings.append(Finding("differencing", int(year), named(group),
                                        int(attacker.exits[list(group)].sum()), REASONS[reason], None))
    return findings
