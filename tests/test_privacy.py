"""Exit reasons are private by construction (docs/kpis.md, Privacy; docs/privacy.md).

The hand-made case (tests/fixtures/exit_case, as_of 2024-12-31, min_group_size 5): hubs H1
(10 people) and H2 (15) open since 2023-01-01; in 2024

  Q1  H1: 2 exits (2 voluntary, 1 regretted)         -> PRIMARY (2 < 5)
      H2: 6 exits (3 voluntary, 1 regretted, 2 involuntary, 1 other)
      COMPANY: 8 = H1 + H2; shown with H2 it would give H1's 2 by subtraction, so H2 (6 exits,
      fewer than the company's 8) is suppressed: COMPLEMENTARY
  Q2, Q3  nobody left: every row shown (zeros hide nothing)
  Q4  H2: 5 exits (2 voluntary, 1 regretted, 2 involuntary, 1 other), H1 none: all shown
  YEAR H1: 2 -> PRIMARY; H2: 6 + 5 = 11, but COMPANY-Q1 - (H2-YEAR - H2-Q4) = H1-Q1's 2 leavers
      again. Rows of that combination give way, fewest exits first, until H1-Q1 is no longer
      isolated, and those it did not need come back: the Q4 rows (5 exits each) alone would not
      do (COMPANY-YEAR - H2-YEAR still gives H1-Q1), H2-YEAR (11) does. H2-YEAR: COMPLEMENTARY;
      the Q4 rows and COMPANY-YEAR (13: it only adds H1-Q1 + H2-Q1 = 8 to the shown Q4) shown.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_pipeline
from tests.privacy_attacker import attack
from tests.privacy_report import suppression_model

CASE = Path(__file__).parent / "fixtures" / "exit_case"


def marts_of(source_dir: Path, warehouse: Path, **env: str) -> duckdb.DuckDBPyConnection:
    assert run_pipeline(source_dir, warehouse, **env).success
    return duckdb.connect(str(warehouse), read_only=True)


def table(con, name: str) -> pd.DataFrame:
    return con.execute(f"select * from marts.{name}").df()


@pytest.fixture(scope="module")
def exit_case(dbt_manifest, tmp_path_factory):
    con = marts_of(CASE, tmp_path_factory.mktemp("exit_case") / "warehouse.duckdb", KPI_AS_OF_DATE="2024-12-31")
    yield con
    con.close()


def test_hand_made_case_needs_complementary_suppression(exit_case):
    published = table(exit_case, "exit_reasons")
    year = published[published["period_start"].dt.year == 2024]
    decisions = {(r.scope, r.period_type, str(r.period_start.date())):
                 (r.exits, None if pd.isna(r.suppression) else r.suppression)
                 for r in year.itertuples()}
    shown = None
    assert decisions == {
        ("H1", "QUARTER", "2024-01-01"): (2, "PRIMARY"),
        ("H2", "QUARTER", "2024-01-01"): (6, "COMPLEMENTARY"),
        ("COMPANY", "QUARTER", "2024-01-01"): (8, shown),
        **{(scope, "QUARTER", q): (0, shown)
           for scope in ("H1", "H2", "COMPANY") for q in ("2024-04-01", "2024-07-01")},
        ("H1", "QUARTER", "2024-10-01"): (0, shown),
        ("H2", "QUARTER", "2024-10-01"): (5, shown),
        ("COMPANY", "QUARTER", "2024-10-01"): (5, shown),
        ("H1", "YEAR", "2024-01-01"): (2, "PRIMARY"),
        ("H2", "YEAR", "2024-01-01"): (11, "COMPLEMENTARY"),
        ("COMPANY", "YEAR", "2024-01-01"): (13, shown),
    }
    company_q1 = year[(year["scope"] == "COMPANY") & (year["period_type"] == "QUARTER")
                      & (year["period_start"] == "2024-01-01")].iloc[0]
    assert (company_q1["voluntary_exits"], company_q1["involuntary_exits"], company_q1["other_exits"],
            company_q1["regretted_exits"]) == (5, 2, 1, 2)
    assert published.loc[published["is_suppressed"], ["voluntary_exits", "voluntary_attrition_rate"]].isna().all().all()

    bridge = table(exit_case, "hub_headcount_bridge")
    assert attack(bridge, [published], 5) == []

    # the same rows with primary suppression only: H1's two leavers are told by subtraction
    rows = exit_case.execute("select * from intermediate.int_hr__exit_reason_rows").df()
    cells = exit_case.execute("select * from intermediate.int_hr__exit_reason_cells").df()
    model = suppression_model()
    primary_only = rows.merge(model.suppress(rows, cells, 5, complementary=False), on=model.KEY)
    findings = attack(bridge, [primary_only], 5)
    told = {(f.how, f.cells, f.reason, f.value) for f in findings}
    # by subtraction (COMPANY-Q1 - H2-Q1), for every reason ...
    assert ("differencing", (("H1", "2024-01-01"),), "voluntary_exits", None) in told
    # ... and the integer program pins one of the two as regretted (all voluntary is left to the
    # differencing search: a count of 0 or all is what homogeneous groups tell too)
    assert ("bounds", (("H1", "2024-01-01"),), "regretted_exits", 1) in told


def test_no_group_is_told_on_the_demo_nor_by_comparing_two_nights(dbt_manifest, demo_dir, tmp_path):
    nights = {}
    for as_of in ("2025-11-30", "2025-12-31"):  # the second night adds 2025-Q4 and the YEAR 2025
        con = marts_of(demo_dir, tmp_path / as_of / "warehouse.duckdb", KPI_AS_OF_DATE=as_of)
        nights[as_of] = (table(con, "exit_reasons"), table(con, "hub_headcount_bridge"))
        con.close()
    (before, _), (after, bridge) = nights["2025-11-30"], nights["2025-12-31"]
    # what the first night published is published again unchanged, suppressions included
    key = ["scope", "period_type", "period_start"]
    again = before.merge(after, on=key, suffixes=("", "_next"))
    assert len(again) == len(before) > 30
    for column in ("exits", "voluntary_exits", "regretted_exits", "is_suppressed"):
        assert again[column].equals(again[f"{column}_next"]), column
    assert len(after) > len(before) and after["is_suppressed"].any() and (~after["is_suppressed"]).any()
    assert attack(bridge, [before, after], 5) == []


@pytest.mark.slow
def test_no_group_is_told_on_the_medium_dataset(medium_marts):
    published = table(medium_marts, "exit_reasons")
    assert (published["suppression"] == "COMPLEMENTARY").sum() > 0  # the complementary step had work
    # every cell alone and every pair of cells (the full search takes minutes at this size)
    assert attack(table(medium_marts, "hub_headcount_bridge"), [published], 5, max_cells=2) == []


REASON_COLUMNS = ("voluntary_exits", "involuntary_exits", "other_exits", "regretted_exits")


def cells_frame(cells: list[tuple]) -> pd.DataFrame:
    """(hub, quarter, voluntary, involuntary, other, regretted) -> the cells table of the model."""
    frame = pd.DataFrame(cells, columns=["hub_id", "quarter_start", *REASON_COLUMNS])
    frame["quarter_start"] = pd.to_datetime(frame["quarter_start"])
    frame["exits"] = frame["voluntary_exits"] + frame["involuntary_exits"] + frame["other_exits"]
    return frame


def rows_of(cells: pd.DataFrame, year: int = 2024) -> pd.DataFrame:
    """Every hub's and the company's quarter and YEAR rows of ``year``, as int_hr__exit_reason_rows."""
    rows = []
    quarters = [(pd.Timestamp(f"{year}-{m:02d}-01"), pd.Timestamp(f"{year}-{m:02d}-01") + pd.offsets.QuarterEnd(0))
                for m in (1, 4, 7, 10)]
    periods = [("QUARTER", start, end) for start, end in quarters] + \
              [("YEAR", pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31"))]
    for scope in [*sorted(cells["hub_id"].unique()), "COMPANY"]:
        mine = cells if scope == "COMPANY" else cells[cells["hub_id"] == scope]
        for kind, start, end in periods:
            inside = mine[(mine["quarter_start"] >= start) & (mine["quarter_start"] <= end)]
            rows.append({"scope": scope, "period_type": kind, "period_start": start, "period_end": end,
                         **{c: int(inside[c].sum()) for c in ("exits", *REASON_COLUMNS)}})
    return pd.DataFrame(rows)


def publish_rows(cells: pd.DataFrame, **options) -> pd.DataFrame:
    model = suppression_model()
    rows = rows_of(cells)
    return rows.merge(model.suppress(rows, cells, 5, **options), on=model.KEY)


def bridge_of(cells: pd.DataFrame) -> pd.DataFrame:
    """What the bridge says of these cells: their exits, in the quarter's first month."""
    return cells.rename(columns={"quarter_start": "month"})[["hub_id", "month", "exits"]]


def test_counts_fixed_by_their_bounds_are_protected_too():
    """A 2 x 2 table whose four cells are small: A-Q1 1 leaver (voluntary), B-Q1 4 (2 voluntary, 2
    involuntary), A-Q2 4 (1 voluntary, 3 involuntary), B-Q2 1 (involuntary). COMPANY-Q1, -Q2 and
    every YEAR row have 5 or more. With A-YEAR and COMPANY-Q2 shown, A-Q1 - B-Q2 = A-YEAR -
    COMPANY-Q2 is told (voluntary: 2 - 1 = 1), and a difference of 1 between a cell of one leaver
    and one of one leaver fixes both: A-Q1 voluntary, B-Q2 not. No subtraction isolates a cell,
    only the bounds 0 <= count <= leavers do; both hub YEAR rows must yield (B-YEAR alone
    gives the same through COMPANY-Q1), COMPANY-YEAR = COMPANY-Q1 + COMPANY-Q2 may stay."""
    cells = cells_frame([("A", "2024-01-01", 1, 0, 0, 0), ("B", "2024-01-01", 2, 2, 0, 1),
                         ("A", "2024-04-01", 1, 3, 0, 0), ("B", "2024-04-01", 0, 1, 0, 0)])
    published = publish_rows(cells)
    decided = {(r.scope, r.period_type, r.period_start.month): r.suppression for r in published.itertuples()}
    assert decided[("A", "YEAR", 1)] == decided[("B", "YEAR", 1)] == "COMPLEMENTARY"
    assert decided[("COMPANY", "QUARTER", 1)] is None and decided[("COMPANY", "YEAR", 1)] is None
    assert attack(bridge_of(cells), [published], 5) == []
    # without the complementary step the attacker pins A-Q1 as voluntary and B-Q2 as involuntary
    told = {(f.cells, f.reason, f.value)
            for f in attack(bridge_of(cells), [publish_rows(cells, complementary=False)], 5)}
    assert ((("A", "2024-01-01"),), "voluntary_exits", 1) in told
    assert ((("B", "2024-04-01"),), "involuntary_exits", 1) in told


def test_each_release_is_decided_from_its_own_and_earlier_cells_only():
    """Re-deciding the year on each quarter's last night, from the cells known then, gives the
    same decisions for every row already released, whatever the order of the cells."""
    rng = np.random.default_rng(7)
    cells = cells_frame([(hub, quarter, *(int(x) for x in rng.integers(0, 3, 3)), 0)
                         for hub in ("H1", "H2", "H3", "H4")
                         for quarter in ("2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01")])
    cells["regretted_exits"] = (cells["voluntary_exits"] + 1) // 2
    cells = cells[cells["exits"] > 0]
    final = publish_rows(cells).set_index(["scope", "period_type", "period_start"])["suppression"]
    assert final.notna().any() and (final == "COMPLEMENTARY").any()
    for night in ("2024-03-31", "2024-06-30", "2024-09-30"):
        known = cells[cells["quarter_start"] <= night]
        earlier = publish_rows(known).set_index(["scope", "period_type", "period_start"])
        released = earlier[earlier["period_end"] <= night]["suppression"]
        assert released.fillna("shown").equals(final.loc[released.index].fillna("shown")), night
    shuffled = publish_rows(cells.sample(frac=1, random_state=3)).set_index(["scope", "period_type", "period_start"])
    assert shuffled["suppression"].fillna("shown").equals(final.loc[shuffled.index].fillna("shown"))
