"""The validation rules of spec/sources.md and spec/kpis.md, declared once.

Column rules (primary key, not null, enums, ranges) are derived from the contract; the rules
that span rows or tables are SQL selecting the offending rows, ``{batch}`` standing for the
validated table. ``suites.py`` turns these into the GX suites of ``expectations/``.
"""

from __future__ import annotations

from dataclasses import dataclass

CRITICAL, WARNING = "critical", "warning"


@dataclass(frozen=True)
class SqlRule:
    name: str
    severity: str
    description: str
    query: str  # selects the offending rows of {batch}


@dataclass(frozen=True)
class RangeRule:
    column: str
    min_value: float | None = None
    max_value: float | None = None
    strict_min: bool = False
    strict_max: bool = False
    severity: str = CRITICAL


def _fk(column: str, table: str, key: str | None = None) -> SqlRule:
    return SqlRule(f"{column}_exists_in_{table}", CRITICAL, f"{column} must exist in {table}",
                   f"select * from (select * from {{batch}}) b where b.{column} is not null "
                   f"and b.{column} not in (select {key or column} from raw.{table})")


SPELLS = """(select employee_id, min(effective_date) as spell_start,
        max(case when event_type = 'EXIT' then effective_date end) as spell_end
    from (select *, sum(case when event_type in ('HIRE', 'REHIRE') then 1 else 0 end)
            over (partition by employee_id order by effective_date,
                  case when event_type in ('HIRE', 'REHIRE') then 0 when event_type = 'EXIT' then 2 else 1 end,
                  event_id) as spell_no
          from raw.employment_events)
    group by employee_id, spell_no)"""

ORDERED_EVENTS = """(select *, row_number() over w as rn, lag(event_type) over w as prev_type,
        lag(hub_id) over w as prev_hub
    from {batch}
    window w as (partition by employee_id order by effective_date,
        case when event_type in ('HIRE', 'REHIRE') then 0 when event_type = 'EXIT' then 2 else 1 end, event_id))"""

SOURCE_RULES: dict[str, list[SqlRule | RangeRule]] = {
    "hubs": [
        SqlRule("closed_on_after_opened_on", CRITICAL, "closed_on >= opened_on",
                "select * from {batch} where closed_on < opened_on"),
        RangeRule("critical_mass_target", min_value=0, strict_min=True),
    ],
    "employees": [],
    "employment_events": [
        _fk("employee_id", "employees"),
        _fk("hub_id", "hubs"),
        _fk("requisition_id", "requisitions"),
        SqlRule("assignment_fields_by_event_type", CRITICAL,
                "hub_id, role and fte are required on every event but EXIT, and NULL on EXIT",
                "select * from {batch} where case when event_type = 'EXIT' "
                "then hub_id is not null or role is not null or fte is not null "
                "else hub_id is null or role is null or fte is null end"),
        RangeRule("fte", min_value=0, max_value=1, strict_min=True),
        SqlRule("exit_fields_by_event_type", CRITICAL,
                "exit_type and is_regretted are required on EXIT and NULL otherwise; regretted only if VOLUNTARY",
                "select * from {batch} where case when event_type = 'EXIT' "
                "then exit_type is null or is_regretted is null or (is_regretted and exit_type <> 'VOLUNTARY') "
                "else exit_type is not null or is_regretted is not null end"),
        SqlRule("event_sequence", CRITICAL,
                "first event HIRE; REHIRE only after EXIT; no hire while employed; "
                "no TRANSFER/JOB_CHANGE/EXIT while not employed",
                "select * from " + ORDERED_EVENTS + " where (rn = 1 and event_type <> 'HIRE') "
                "or (rn > 1 and event_type = 'HIRE') or (event_type = 'REHIRE' and prev_type <> 'EXIT') "
                "or (event_type in ('TRANSFER', 'JOB_CHANGE', 'EXIT') and (prev_type is null or prev_type = 'EXIT'))"),
        SqlRule("same_hub_transfer", WARNING, "a TRANSFER should change hub_id (treated as JOB_CHANGE)",
                "select * from " + ORDERED_EVENTS + " where event_type = 'TRANSFER' and hub_id = prev_hub"),
        SqlRule("same_day_hire_and_exit", WARNING, "an EXIT on the hire day",
                "select x.* from (select * from {batch}) x join (select * from {batch}) h using (employee_id, effective_date) "
                "where h.event_type in ('HIRE', 'REHIRE') and x.event_type = 'EXIT'"),
    ],
    "requisitions": [
        _fk("hub_id", "hubs"),
        _fk("hired_employee_id", "employees", "employee_id"),
        SqlRule("status_fields", CRITICAL,
                "closed_on required iff status is not OPEN and >= opened_on; hired_employee_id required iff FILLED",
                "select * from {batch} where (status = 'OPEN') = (closed_on is not null) "
                "or closed_on < opened_on or (status = 'FILLED') = (hired_employee_id is null)"),
    ],
    "solutions": [
        _fk("hub_id", "hubs"),
        RangeRule("target_users", min_value=0),
    ],
    "solution_stage_events": [
        _fk("solution_id", "solutions"),
        SqlRule("stage_before_created_on", WARNING, "entered_on should be >= the solution's created_on",
                "select b.* from (select * from {batch}) b join raw.solutions s using (solution_id) where b.entered_on < s.created_on"),
    ],
    "timesheets": [
        _fk("employee_id", "employees"),
        _fk("solution_id", "solutions"),
        SqlRule("week_start_is_monday", CRITICAL, "week_start must be a Monday",
                "select * from {batch} where isodow(week_start) <> 1"),
        SqlRule("solution_id_by_activity", CRITICAL, "solution_id required iff BUILD or RUN",
                "select * from {batch} where (activity_type in ('BUILD', 'RUN')) <> (solution_id is not null)"),
        RangeRule("hours", min_value=0, max_value=60, strict_min=True),
        SqlRule("week_total_at_most_60", CRITICAL, "an employee's hours in a week sum to at most 60",
                "select employee_id, week_start, sum(hours) as hours from {batch} group by all having sum(hours) > 60"),
        SqlRule("employed_during_week", CRITICAL, "hours only for weeks the person was employed",
                "select * from (select * from {batch}) t where not exists (select 1 from " + SPELLS + " s "
                "where s.employee_id = t.employee_id and s.spell_start <= t.week_start + 6 "
                "and (s.spell_end is null or s.spell_end >= t.week_start))"),
    ],
    "usage_events": [
        _fk("solution_id", "solutions"),
        RangeRule("n_actions", min_value=1),
        SqlRule("user_id_not_an_email", CRITICAL, "user_id is a pseudonym, never an e-mail address",
                # the address itself is not shown: it would leak personal data into the run logs
                "select solution_id, activity_date, 'hidden (looks like an e-mail)' as user_id "
                "from {batch} where user_id like '%@%'"),
        SqlRule("usage_before_go_live", WARNING, "usage should start with the first PILOT or PRODUCTION",
                "select b.* from (select * from {batch}) b left join (select solution_id, min(entered_on) as live "
                "from raw.solution_stage_events where stage in ('PILOT', 'PRODUCTION') group by 1) l using (solution_id) "
                "where l.live is null or b.activity_date < l.live"),
    ],
    "cost_lines": [
        _fk("hub_id", "hubs"),
        _fk("solution_id", "solutions"),
        SqlRule("amount_sign_by_charge_type", CRITICAL, "amount > 0 for USAGE and PURCHASE",
                "select * from {batch} where charge_type in ('USAGE', 'PURCHASE') and amount <= 0"),
        SqlRule("fx_rate_exists", CRITICAL, "a rate exists for the posting month and currency unless EUR",
                "select * from (select * from {batch}) c where currency <> 'EUR' and not exists (select 1 from raw.fx_rates f "
                "where f.currency = c.currency and f.period_month = date_trunc('month', c.posting_date))"),
        SqlRule("staff_line_without_solution", WARNING, "STAFF cost should sit in the hub pool",
                "select * from {batch} where cost_category = 'STAFF' and solution_id is not null"),
    ],
    "fx_rates": [
        RangeRule("rate_to_eur", min_value=0, strict_min=True),
        SqlRule("eur_rate_is_one", CRITICAL, "a rate for EUR, if present, is 1",
                "select * from {batch} where currency = 'EUR' and rate_to_eur <> 1"),
        SqlRule("monthly_move_within_20_percent", WARNING, "a month-over-month move above 20 % is suspicious",
                "select * from (select *, lag(rate_to_eur) over (partition by currency order by period_month) as prev "
                "from {batch}) where prev > 0 and abs(rate_to_eur / prev - 1) > 0.2"),
    ],
    "budgets": [
        _fk("hub_id", "hubs"),
        RangeRule("budget_eur", min_value=0),
    ],
}


@dataclass(frozen=True)
class MartSpec:
    """What a published table of spec/kpis.md must satisfy."""
    name: str
    grain: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()  # fractions in [0, 1]: critical
    soft_rates: tuple[str, ...] = ()  # may exceed 1 in rare real cases: warning
    enums: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rules: tuple[SqlRule, ...] = ()


STAGE_VALUES = ("IDEATION", "POC", "PILOT", "PRODUCTION", "RETIRED", "STOPPED")
LEDGER = "(select sum(amount_eur) from intermediate.int_costs__lines_eur)"


def _identity(name: str, description: str, condition: str) -> SqlRule:
    return SqlRule(name, CRITICAL, description, f"select * from {{batch}} where not coalesce({condition}, false)")


def _ledger_identity(name: str, description: str, published: str) -> SqlRule:
    return SqlRule(name, CRITICAL, description,
                   f"select {published} as published, {LEDGER} as ledger from (select 1) "
                   f"where abs(coalesce({published}, 0) - coalesce({LEDGER}, 0)) > 0.005")


MARTS: tuple[MartSpec, ...] = (
    MartSpec("hub_critical_mass", ("hub_id", "month"),
             not_null=("hub_name", "headcount", "fte", "contractor_headcount", "critical_mass_target",
                       "critical_mass_status", "is_multidisciplinary"),
             rates=("share_data_science", "share_it", "share_business"),
             enums=(("critical_mass_status", ("MET", "AT_RISK", "BELOW")),),
             rules=(_identity("families_add_up", "headcount = sum of the three family headcounts",
                              "headcount = headcount_data_science + headcount_it + headcount_business"),)),
    MartSpec("hub_headcount_bridge", ("hub_id", "month"),
             not_null=("opening_headcount", "hires", "transfers_in", "exits", "transfers_out", "closing_headcount"),
             rules=(_identity("bridge_identity", "closing = opening + hires + transfers_in - exits - transfers_out",
                              "closing_headcount = opening_headcount + hires + transfers_in - exits - transfers_out"),
                    SqlRule("closing_equals_headcount", CRITICAL, "closing_headcount = hub_critical_mass.headcount",
                            "select b.* from (select * from {batch}) b full join marts.hub_critical_mass c using (hub_id, month) "
                            "where b.closing_headcount is distinct from c.headcount"))),
    MartSpec("hub_retention", ("hub_id", "month"),
             not_null=("window_start", "window_end", "opening_headcount", "retained_in_company", "retained_in_hub",
                       "exits_12m", "avg_headcount_12m", "first_year_cohort", "first_year_exits", "is_full_window"),
             rates=("retention_rate", "hub_retention_rate", "first_year_attrition_rate"),
             soft_rates=("attrition_rate_12m",),
             rules=(_identity("first_year_exits_within_cohort", "first_year_exits <= first_year_cohort",
                              "first_year_exits <= first_year_cohort"),)),
    MartSpec("talent_staffing", ("hub_id", "month"), not_null=("headcount", "staffed_headcount", "new_hires_12m"),
             rates=("staffing_rate",),
             rules=(_identity("staffed_within_headcount", "staffed_headcount <= headcount",
                              "staffed_headcount <= headcount"),
                    SqlRule("staffing_rate_null_only_without_hours", CRITICAL,
                            "staffing_rate is NULL only in a month the hub's employees logged no working hours",
                            "select t.* from (select * from {batch}) t where t.staffing_rate is null and exists ("
                            "select 1 from intermediate.int_timesheets__attributed a where a.hub_id = t.hub_id "
                            "and a.month = t.month and a.worker_type = 'EMPLOYEE' and a.activity_type <> 'LEAVE')"))),
    MartSpec("recruiting", ("hub_id", "quarter"),
             not_null=("requisitions_opened", "requisitions_filled", "requisitions_cancelled", "open_at_quarter_end")),
    MartSpec("solution_lifecycle", ("solution_id",), not_null=("hub_id", "solution_name", "is_monitored"),
             enums=(("current_stage", STAGE_VALUES),)),
    MartSpec("industrialization", ("hub_id", "cohort_year"),
             not_null=("pocs_started", "eligible_pocs", "industrialized", "is_mature"),
             rates=("industrialization_rate",),
             rules=(_identity("funnel_is_consistent", "industrialized <= eligible <= started",
                              "industrialized <= eligible_pocs and eligible_pocs <= pocs_started"),)),
    MartSpec("solution_adoption", ("solution_id", "month"), not_null=("hub_id", "stage", "monthly_active_users"),
             soft_rates=("adoption_rate",), enums=(("stage", STAGE_VALUES),)),
    MartSpec("portfolio_health", ("hub_id", "month"),
             not_null=("solutions_poc", "solutions_production", "stuck_pocs", "stuck_pilots"),
             rates=("monitored_share", "maintained_share", "adopted_share", "healthy_production_share")),
    MartSpec("cost_per_solution", ("solution_id", "month"),
             not_null=("direct_cost_eur", "allocated_cost_eur", "total_cost_eur", "cumulative_cost_eur"),
             rules=(_ledger_identity(
                 "solutions_plus_overhead_equal_ledger",
                 "sum of total_cost_eur + hub_costs.unallocated_cost_eur = EUR sum of the cost lines",
                 "((select sum(total_cost_eur) from {batch}) "
                 "+ (select sum(unallocated_cost_eur) from marts.hub_costs))"),)),
    MartSpec("hub_costs", ("hub_id", "month"),
             not_null=("pool_cost_eur", "allocated_cost_eur", "unallocated_cost_eur", "direct_cost_eur",
                       "total_cost_eur"),
             rules=(_ledger_identity("hub_totals_equal_ledger", "sum of total_cost_eur = EUR sum of the cost lines",
                                     "(select sum(total_cost_eur) from {batch})"),
                    SqlRule("allocation_within_category_pools", CRITICAL,
                            "per cost category, the allocated part of the hub's pool has the pool's sign "
                            "and never exceeds it",
                            "select b.hub_id, b.month, a.cost_category, a.pool, a.allocated "
                            "from (select * from {batch}) b join (select hub_id, month, cost_category, "
                            "max(pool_cost_eur) as pool, sum(allocated_cost_eur) as allocated "
                            "from intermediate.int_costs__pool_allocation group by all) a using (hub_id, month) "
                            "where abs(a.allocated) > abs(a.pool) + 0.005 or a.allocated * a.pool < 0"),
                    SqlRule("ytd_budget_reaches_the_year_budget", CRITICAL,
                            "in the year's last open month (December or the closing month), ytd_budget_eur "
                            "is the year's budget",
                            "select b.hub_id, b.month, b.ytd_budget_eur, r.budget_eur from (select * from {batch}) b "
                            "join raw.budgets r on r.hub_id = b.hub_id and r.year = year(b.month) "
                            "join raw.hubs h on h.hub_id = b.hub_id "
                            "where (month(b.month) = 12 or b.month = date_trunc('month', h.closed_on)) "
                            "and not coalesce(abs(b.ytd_budget_eur - r.budget_eur) < 0.005, false)"))),
    MartSpec("company_scorecard", ("month",),
             not_null=("hubs_open", "headcount", "total_cost_eur", "eligible_pocs", "industrialized_pocs"),
             rates=("retention_rate_12m", "first_year_attrition_rate", "industrialization_rate", "adopted_share",
                    "monitored_share", "healthy_production_share"),
             soft_rates=("attrition_rate_12m", "adoption_rate")),
    MartSpec("exit_reasons", ("scope", "period_type", "period_start"),
             not_null=("period_end", "exits", "avg_headcount", "is_suppressed"),
             soft_rates=("voluntary_attrition_rate", "regretted_attrition_rate"),
             enums=(("period_type", ("QUARTER", "YEAR")), ("suppression", ("PRIMARY", "COMPLEMENTARY"))),
             rules=(_identity("no_small_group_shown", "reasons are shown only for 0 or at least min_group_size exits",
                              "is_suppressed or exits = 0 or exits >= "
                              "(select max(min_group_size) from intermediate.int_hr__exit_reason_rows)"),
                    _identity("suppressed_rows_hide_reasons", "a suppressed row shows no reason count or rate",
                              "not is_suppressed or (voluntary_exits is null and involuntary_exits is null "
                              "and other_exits is null and regretted_exits is null "
                              "and voluntary_attrition_rate is null and regretted_attrition_rate is null)"),
                    _identity("reasons_add_up", "shown reasons add up to the exits; regretted ones are voluntary",
                              "is_suppressed or (voluntary_exits + involuntary_exits + other_exits = exits "
                              "and regretted_exits <= voluntary_exits)"))),
)
