"""The synthetic generator: deterministic, valid against every rule, realistic dynamics."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dagster_project.config import PROJECT_ROOT
from synthetic import SCALES, generate
from synthetic.costs import budgets
from synthetic.people import Hub
from tests.conftest import DEMO_SEED
from tests.contract_rules import RULES


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(demo_dir, tmp_path):
    generate(SCALES["demo"], DEMO_SEED, tmp_path, log=lambda *_: None)
    assert digests(tmp_path) == digests(demo_dir)
    assert len(digests(tmp_path)) == 11


def test_another_seed_gives_other_data(demo_dir, tmp_path):
    generate(SCALES["demo"], DEMO_SEED + 1, tmp_path, log=lambda *_: None)
    assert digests(tmp_path)["hr/employment_events.csv"] != digests(demo_dir)["hr/employment_events.csv"]


def test_committed_seeds_are_the_demo_generator_output(demo_dir):
    """seeds/ is reproducible: `make generate` with the default seed rewrites it identically."""
    assert digests(PROJECT_ROOT / "seeds") == digests(demo_dir)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_generated_demo_obeys_contract_rule(demo_raw, rule):
    offending = demo_raw.sql(RULES[rule]).fetchall()
    assert offending == [], f"{rule}: {len(offending)} offending rows, e.g. {offending[:3]}"


def scalar(con, sql: str):
    return con.sql(sql).fetchall()[0][0]


def test_demo_has_the_expected_size(demo_raw):
    assert scalar(demo_raw, "select count(*) from raw.hubs") == 4
    assert 200 <= scalar(demo_raw, "select count(*) from raw.employees") <= 320
    assert 45 <= scalar(demo_raw, "select count(*) from raw.solutions") <= 80
    span = scalar(demo_raw, "select max(week_start) - min(week_start) from raw.timesheets")
    assert 2.8 * 365 <= span <= 3 * 365


def test_yearly_attrition_is_realistic(demo_raw):
    exits, person_years = demo_raw.sql("""
        select (select count(*) from raw.employment_events where event_type = 'EXIT' """
        """and effective_date <= '2026-09-30'),
               (select sum(fte_days) / 365.0 from (
                   select least(coalesce(lead(effective_date) over w, date '2026-09-30'), date '2026-09-30')
                          - effective_date as fte_days, event_type
                   from raw.employment_events window w as (partition by employee_id order by effective_date))
                where event_type <> 'EXIT')
    """).fetchall()[0]
    assert 0.08 <= exits / person_years <= 0.20


def test_dynamics_cover_what_the_kpis_measure(demo_raw):
    kinds = dict(demo_raw.sql("select event_type, count(*) from raw.employment_events group by 1").fetchall())
    assert kinds.get("REHIRE", 0) >= 1 and kinds.get("TRANSFER", 0) >= 1 and kinds.get("JOB_CHANGE", 0) >= 1
    exit_types = {r[0] for r in demo_raw.sql("select distinct exit_type from raw.employment_events "
                                             "where exit_type is not null").fetchall()}
    assert exit_types == {"VOLUNTARY", "INVOLUNTARY", "OTHER"}
    assert scalar(demo_raw, "select count(*) from raw.employment_events where is_regretted") >= 1
    assert scalar(demo_raw, "select count(*) from raw.employees where worker_type = 'CONTRACTOR'") >= 5
    assert scalar(demo_raw, "select count(*) from raw.employment_events where fte < 1") >= 5
    assert scalar(demo_raw, "select count(*) from raw.employment_events where effective_date > date '2026-09-30'") >= 1
    currencies = {r[0] for r in demo_raw.sql("select distinct currency from raw.cost_lines").fetchall()}
    assert currencies == {"EUR", "USD", "GBP"}
    assert scalar(demo_raw, "select count(*) from raw.cost_lines where charge_type = 'CREDIT' and amount < 0") >= 1
    statuses = {r[0] for r in demo_raw.sql("select distinct status from raw.requisitions").fetchall()}
    assert statuses == {"OPEN", "FILLED", "CANCELLED"}


def test_hubs_grow_past_and_below_critical_mass(demo_raw):
    sizes = [r[0] for r in demo_raw.sql("""
        select count(*) from raw.employment_events e
        where event_type <> 'EXIT' and not exists (
            select 1 from raw.employment_events l where l.employee_id = e.employee_id
            and (l.effective_date, l.event_id) > (e.effective_date, e.event_id) """
            """and l.effective_date <= date '2026-09-30')
        and effective_date <= date '2026-09-30'
        group by hub_id""").fetchall()]
    assert max(sizes) >= 30 and min(sizes) < 30


def test_about_half_of_pocs_reach_production(demo_raw):
    share = scalar(demo_raw, """
        select avg(case when exists (select 1 from raw.solution_stage_events p where p.solution_id = s.solution_id
                   and p.stage = 'PRODUCTION') then 1.0 else 0 end)
        from (select distinct solution_id from raw.solution_stage_events where stage = 'POC') s""")
    assert 0.3 <= share <= 0.7


def test_budgets_cover_the_open_months_of_the_year(demo_raw):
    """A budget is for the months of its year the hub is open (docs/sources.md): close to the
    year's actual monthly spend times those months (planning error 0.88-1.15, rounded to 1000),
    in the opening year (a hub opened in October has a three-month budget) as in a full year,
    even one the data ends in (2026, cut at September, is budgeted for twelve months)."""
    ratios = demo_raw.sql("""
        with eur as (
            select l.hub_id, year(l.posting_date) as year, count(distinct month(l.posting_date)) as months,
                   sum(l.amount * coalesce(r.rate_to_eur, 1)) as spend
            from raw.cost_lines l
            left join raw.fx_rates r on r.period_month = date_trunc('month', l.posting_date) and r.currency = l.currency
            group by all)
        select b.hub_id, b.year, b.budget_eur / (eur.spend / eur.months
               * (12 - case when year(h.opened_on) = b.year then month(h.opened_on) - 1 else 0 end)) as ratio,
               year(h.opened_on) = b.year as opening_year
        from raw.budgets b join raw.hubs h using (hub_id) join eur using (hub_id, year)""").df()
    assert len(ratios) == scalar(demo_raw, "select count(*) from raw.budgets")
    assert ratios["opening_year"].sum() == 4  # every demo hub has an opening year in the data
    assert ratios["ratio"].between(0.85, 1.2).all(), ratios[~ratios["ratio"].between(0.85, 1.2)]


def test_a_closing_hub_is_budgeted_for_its_open_months_only():
    """A hub open from 2024-10-20 to 2025-06-15, spending 1000 EUR in each of its months: its
    2024 budget is for October..December (3 x 1000, times the planning error), its 2025 budget
    for January..June (6 x 1000)."""
    hub = Hub(index=0, hub_id="H1", name="H", site="Paris", currency="EUR", opened_on=dt.date(2024, 10, 20),
              final_size=30, growth_months=6, family_mix=(0.5, 0.25, 0.25), critical_mass_target=None,
              closed_on=dt.date(2025, 6, 15))
    months = [f"2024-{m:02d}" for m in (10, 11, 12)] + [f"2025-{m:02d}" for m in range(1, 7)]
    lines = pd.DataFrame({"posting_date": [f"{m}-15" for m in months], "hub_id": "H1", "amount": "1000.00",
                          "currency": "EUR"})
    rates = {(dt.date.fromisoformat(f"{m}-01"), "EUR"): 1.0 for m in months}
    result = budgets(np.random.default_rng(0), [hub], lines, rates).set_index("year")["budget_eur"].astype(float)
    assert 0.88 * 3000 - 500 <= result[2024] <= 1.15 * 3000 + 500
    assert 0.88 * 6000 - 500 <= result[2025] <= 1.15 * 6000 + 500
