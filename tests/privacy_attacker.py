"""An attacker on the published exit reasons (spec/kpis.md, Privacy; docs/privacy.md).

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
that the publication shows (a row, or a difference of rows) in which everybody left for the
same reason, or nobody did for some reason, tells that of each member. So cells whose count the
integer program fixes at 0 or at all their leavers are left out of the groups searched by
bounds, and cells of a shown homogeneous row are known to the differencing search.
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
    distinct = rows.drop_duplicates(KEY + ["exits", *REASONS])
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
            quarter >= self.rows["period_start"].to_numpy()[:, None]) & (quarter <= self.rows["period_end"].to_numpy()[:, None])
        assert (self.member.astype(int) @ self.exits == self.rows["exits"].to_numpy()).all(), \
            "exit_reasons and the bridge disagree on exits"
        self._constraints = self._equations()
        self.completions: list[np.ndarray] = []

    # ---- the integer program -------------------------------------------------------------
    def _index(self, cell: int, reason: int) -> int:
        return 4 * cell + reason

    def _equations(self) -> LinearConstraint:
        rows, lo, hi = [], [], []

        def add(coefficients: dict[int, float], low: float, high: float) -> None:
            v = np.zeros(4 * self.n)
            for i, c in coefficients.items():
                v[i] = c
            rows.append(v); lo.append(low); hi.append(high)

        for c in range(self.n):
            add({self._index(c, VOL): 1, self._index(c, INV): 1, self._index(c, OTH): 1}, self.exits[c], self.exits[c])
            add({self._index(c, REG): 1, self._index(c, VOL): -1}, -np.inf, 0)
        for r, row in self.rows.iterrows():
            for reason, column in enumerate(REASONS):
                add({self._index(c, reason): 1 for c in np.flatnonzero(self.member[r])}, row[column], row[column])
        return LinearConstraint(np.array(rows), lo, hi)

    def bounds(self, group: tuple[int, ...], reason: int) -> tuple[int, int]:
        """The least and greatest count of ``reason`` the group can have; keeps the completions."""
        objective = np.zeros(4 * self.n)
        objective[[self._index(c, reason) for c in group]] = 1
        ends = []
        for sign in (1, -1):
            result = milp(sign * objective, constraints=self._constraints, integrality=np.ones(4 * self.n),
                          bounds=Bounds(np.zeros(4 * self.n), np.repeat(self.exits, 4).astype(float)))
            assert result.status == 0, result.message  # the true counts are a completion
            self.completions.append(np.round(result.x).astype(int))
            ends.append(int(round(sign * result.fun)))
        return ends[0], ends[1]

    # ---- the two searches ----------------------------------------------------------------
    def small_groups(self, cells: list[int], max_cells: int) -> list[tuple[int, ...]]:
        cells = [c for c in cells if self.exits[c] < self.k]
        return [g for size in range(1, max_cells + 1) for g in itertools.combinations(cells, size)
                if self.exits[list(g)].sum() < self.k]

    def by_bounds(self, max_cells: int) -> list[tuple[tuple[int, ...], int, int]]:
        """(group, reason, count) for every small group the integer program pins, among cells
        not pinned at 0 or at all their leavers (homogeneity, accepted)."""
        found, free = [], {}
        for reason in range(4):
            free[reason] = []
            for c in range(self.n):
                low, high = self.bounds((c,), reason)
                if low == high and 0 < low < self.exits[c] < self.k:
                    found.append(((c,), reason, low))
                elif low < high:
                    free[reason].append(c)
        sampled = np.array(self.completions)  # every completion met so far, for a cheap first screen
        for reason in range(4):
            for group in self.small_groups(free[reason], max_cells):
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

        def named(group):
            return tuple((year_cells["hub_id"][c], str(year_cells["quarter"][c].date())) for c in group)

        for group, reason, value in attacker.by_bounds(max_cells):
            findings.append(Finding("bounds", int(year), named(group), int(attacker.exits[list(group)].sum()),
                                    REASONS[reason], value))
        for group, reason in attacker.by_differencing(max_cells):
            findings.append(Finding("differencing", int(year), named(group),
                                    int(attacker.exits[list(group)].sum()), REASONS[reason], None))
    return findings
