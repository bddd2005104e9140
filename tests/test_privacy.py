"""Exit reasons are private by construction (spec/kpis.md, Privacy; docs/privacy.md).

The hand-made case (tests/fixtures/exit_case, as_of 2024-12-31, min_group_size 5): hubs H1
(10 people) and H2 (15) open since 2023-01-01; in 2024

  Q1  H1: 2 exits (2 voluntary, 1 regretted)         -> PRIMARY (2 < 5)
      H2: 6 exits (3 voluntary, 1 regretted, 2 involuntary, 1 other)
      COMPANY: 8 = H1 + H2; shown with H2 it would give H1's 2 by subtraction, so H2 (6 exits,
      fewer than the company's 8) is suppressed: COMPLEMENTARY
  Q2, Q3  nobody left: every row shown (zeros hide nothing)
  Q4  H2: 5 exits (2 voluntary, 1 regretted, 2 involuntary, 1 other), H1 none: all shown
  YEAR H1: 2 -> PRIMARY; H2: 6 + 5 = 11, but COMPANY-Q1 - (H2-YEAR - H2-Q4) = H1-Q1's 2 leavers
      again, so a row of that combination yields, the YEAR row before the Q4 quarters:
      COMPLEMENTARY; COMPANY: 13 is shown (it only adds H1-Q1 + H2-Q1 = 8 to the shown Q4).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.config import DBT_PROJECT_DIR
from tests.conftest import run_pipeline
from tests.privacy_attacker import attack

CASE = Path(__file__).parent / "fixtures" / "exit_case"
SUPPRESSION_MODEL = DBT_PROJECT_DIR / "models" / "intermediate" / "int_hr__exit_reason_suppression.py"


def suppression_model():
    """The dbt Python model's module (its functions are plain pandas/scipy)."""
    spec = importlib.util.spec_from_file_location("int_hr__exit_reason_suppression", SUPPRESSION_MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    decisions = {(r.scope, r.period_type, str(r.period_start.date())): (r.exits, None if pd.isna(r.suppression) else r.suppression)
                 for r in year.itertuples()}
    shown = None
    assert decisions == {
        ("H1", "QUARTER", "2024-01-01"): (2, "PRIMARY"),
        ("H2", "QUARTER", "2024-01-01"): (6, "COMPLEMENTARY"),
        ("COMPANY", "QUARTER", "2024-01-01"): (8, shown),
        **{(scope, "QUARTER", q): (0, shown) for scope in ("H1", "H2", "COMPANY") for q in ("2024-04-01", "2024-07-01")},
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


def test_suppression_follows_the_release_order_and_never_revises_a_row():
    """Rows of a quarter are decided when it ends, from its own cells: a later quarter's cells
    change nothing of an earlier one, and a YEAR row yields before the Q4 rows released with it."""
    model = suppression_model()
    q = pd.Timestamp
    cells = pd.DataFrame({"hub_id": ["H1", "H2", "H3"], "quarter_start": [q("2024-01-01")] * 3,
                          "exits": [2, 6, 7]})
    def rows_of(cells_frame):
        out = []
        for scope in ("H1", "H2", "H3", "COMPANY"):
            mine = cells_frame if scope == "COMPANY" else cells_frame[cells_frame["hub_id"] == scope]
            for kind, start, end in (("QUARTER", "2024-01-01", "2024-03-31"), ("YEAR", "2024-01-01", "2024-12-31")):
                inside = mine[(mine["quarter_start"] >= q(start)) & (mine["quarter_start"] <= q(end))]
                out.append({"scope": scope, "period_type": kind, "period_start": q(start), "period_end": q(end),
                            "exits": int(inside["exits"].sum()),
                            **{r: 1 for r in ("voluntary_exits", "involuntary_exits", "other_exits", "regretted_exits")}})
        return pd.DataFrame(out)
    decided = model.suppress(rows_of(cells), cells, 5).set_index(model.KEY)["suppression"]
    # Q1: H1 (2) primary; COMPANY - H2 - H3 = H1: H2 (6, fewest exits of that combination) yields
    assert decided[("H1", "QUARTER", q("2024-01-01"))] == "PRIMARY"
    assert decided[("H2", "QUARTER", q("2024-01-01"))] == "COMPLEMENTARY"
    assert pd.isna(decided[("H3", "QUARTER", q("2024-01-01"))])
    assert pd.isna(decided[("COMPANY", "QUARTER", q("2024-01-01"))])
    # YEAR rows equal the Q1 rows here (no other exits): H2's and the company's YEAR rows would
    # repeat what the quarter shows; H2's YEAR row would give H2-Q1 and so H1-Q1: it yields
    assert decided[("H2", "YEAR", q("2024-01-01"))] == "COMPLEMENTARY"
    # exits added in Q3 change nothing of what Q1 decided
    later = pd.concat([cells, pd.DataFrame({"hub_id": ["H1"], "quarter_start": [q("2024-07-01")], "exits": [9]})])
    again = model.suppress(rows_of(later), later, 5).set_index(model.KEY)["suppression"]
    for scope in ("H1", "H2", "H3", "COMPANY"):
        key = (scope, "QUARTER", q("2024-01-01"))
        assert (pd.isna(again[key]) and pd.isna(decided[key])) or again[key] == decided[key]
