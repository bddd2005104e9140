"""Portfolio KPIs end to end on a hand-built case (tests/fixtures/portfolio_case), every expected
number worked out by hand below. as_of_date = 2024-12-31; default parameters: stuck_pilot_days
180, maintained_lookback_days 90, adoption_threshold 0.5, industrialization_window_days 365.

Hubs P1 and P2 open on 2023-01-01; X (P1) and Y (P2) log every RUN hour.
  A1  P1, target 10, monitored from 2024-06-01; POC 2023-01-10, PRODUCTION 2023-06-01 (142 days);
      RUN in the week of 2024-12-02; 6 users in December
  A2  P1, target 10, monitored; POC 2023-02-01, PRODUCTION 2024-03-01 (394 days); last RUN in
      the week of 2024-09-30; 5 users in December
  A3  P1, machine-to-machine (target NULL), monitored; no POC: PILOT 2023-05-01 stands in for it,
      PRODUCTION 2023-08-01 (92 days); RUN in the week of 2024-10-07; 3 users in December
  A4  P1, target 10, monitored; POC 2024-03-01, PRODUCTION 2024-06-01; RUN in the week of
      2024-11-04; 2 users in December
  A5  P1, target 0, never monitored; POC 2024-01-01, PRODUCTION 2024-05-01 (121 days, 2024 is a
      leap year); RUN in the week of 2024-12-16
  K1  P1, POC 2024-02-01, PILOT 2024-07-03;  K2  P1, POC 2024-02-01, PILOT 2024-07-04
  B1  P2, target 20, monitored from 2023-04-01; POC 2023-03-01, PRODUCTION 2023-04-01 (31 days);
      RUN in the week of 2024-12-09; 10 users in December
  B2  P2, POC 2023-06-01, STOPPED 2023-09-01
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_pipeline
from tests.test_people_kpis import row

CASE = Path(__file__).parent / "fixtures" / "portfolio_case"


@pytest.fixture(scope="module")
def marts(dbt_manifest, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("portfolio") / "warehouse.duckdb"
    result = run_pipeline(CASE, warehouse, KPI_AS_OF_DATE="2024-12-31")
    assert result.success
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def test_pilot_purgatory(marts):
    dec = row(marts, "portfolio_health", "hub_id = 'P1' and month = '2024-12-01'")
    # 2024-12-31 - 2024-07-03 = 181 days > 180: K1 is stuck; K2 has been a pilot for 180 days: not yet
    assert (dec["solutions_pilot"], dec["stuck_pilots"]) == (2, 1)
    # at 2024-11-30 K1 has been a pilot for 150 days
    nov = row(marts, "portfolio_health", "hub_id = 'P1' and month = '2024-11-01'")
    assert (nov["solutions_pilot"], nov["stuck_pilots"]) == (2, 0)
    # stuck POCs alike: A2, a POC from 2023-02-01 to 2024-03-01, has been one for 2023-07-31 -
    # 2023-02-01 = 180 days at the end of July 2023 (not stuck), 211 at the end of August (stuck),
    # until February 2024. K1 and K2 were POCs for at most 150 days at a month end.
    stuck = marts.execute("select strftime(month, '%Y-%m'), stuck_pocs from marts.portfolio_health "
                          "where stuck_pocs > 0 order by month").fetchall()
    assert stuck == [(month, 1) for month in ("2023-08", "2023-09", "2023-10", "2023-11", "2023-12",
                                              "2024-01", "2024-02")]


def test_healthy_production_share_of_a_hub(marts):
    r = row(marts, "portfolio_health", "hub_id = 'P1' and month = '2024-12-01'")
    # December: RUN weeks starting after 2024-12-31 - 90 = 10-02. Production: A1 A2 A3 A4 A5
    assert r["solutions_production"] == 5
    assert r["monitored_share"] == pytest.approx(4 / 5)  # all but A5
    assert r["maintained_share"] == pytest.approx(4 / 5)  # all but A2 (last RUN week 09-30)
    # with target users: A1 6/10 and A2 5/10 adopted, A4 2/10 not
    assert r["adopted_share"] == pytest.approx(2 / 3)
    # healthy: A1 (all three) and A3 (machine-to-machine, monitored and maintained); not A2 (not
    # maintained), A4 (not adopted), A5 (not monitored) -> 2 / 5
    assert r["healthy_production_share"] == pytest.approx(2 / 5)


def test_healthy_production_share_follows_the_lookback(marts):
    r = row(marts, "portfolio_health", "hub_id = 'P1' and month = '2024-11-01'")
    # November: RUN weeks starting after 2024-11-30 - 90 = 09-01: A2 (09-30), A3, A4 maintained;
    # A1's and A5's RUN weeks come in December
    assert r["maintained_share"] == pytest.approx(3 / 5)
    # no usage in November: nobody adopted; A3 needs no adoption -> healthy alone, 1 / 5
    assert r["adopted_share"] == 0
    assert r["healthy_production_share"] == pytest.approx(1 / 5)
    # before A1's go-live on 2023-06-01 the hub had no production solution: no share
    may = row(marts, "portfolio_health", "hub_id = 'P1' and month = '2023-05-01'")
    assert (may["solutions_production"], may["healthy_production_share"], may["maintained_share"]) == (0, None, None)


def test_company_scorecard_portfolio_figures(marts):
    r = row(marts, "company_scorecard", "month = '2024-12-01'")
    # production: A1-A5 and B1; healthy A1, A3, B1 (monitored, RUN 12-09, 10/20 = 0.5 adopted)
    assert r["solutions_in_production"] == 6
    assert r["healthy_production_share"] == pytest.approx(3 / 6)
    assert r["monitored_share"] == pytest.approx(5 / 6)
    assert r["adopted_share"] == pytest.approx(3 / 4)  # A1 A2 B1 of A1 A2 A4 B1
    assert r["adoption_rate"] == pytest.approx((6 + 5 + 2 + 10) / (10 + 10 + 10 + 20))
    # eligible: first POC on or before 2024-12-31 - 365 = 2024-01-01: A1 A2 A3 A5 (on the day) B1 B2;
    # industrialised within 365 days: A1 (142) A3 (92) A5 (121) B1 (31); not A2 (394), B2 (stopped)
    assert (r["eligible_pocs"], r["industrialized_pocs"]) == (6, 4)
    assert r["industrialization_rate"] == pytest.approx(4 / 6)


def test_company_scorecard_before_any_poc_is_eligible(marts):
    r = row(marts, "company_scorecard", "month = '2023-12-01'")
    # eligible from first_poc_on <= 2022-12-31: none yet -> counts 0, rate NULL
    assert (r["eligible_pocs"], r["industrialized_pocs"], r["industrialization_rate"]) == (0, 0, None)
    # December 2023: A1 A3 B1 in production; none monitored before 2024-06-01 but B1, and no RUN
    # hours in the lookback -> none healthy
    assert (r["solutions_in_production"], r["healthy_production_share"]) == (3, 0)
