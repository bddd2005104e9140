"""The rules of the source contract (docs/sources.md) beyond its column declarations.

Column rules (primary key, not null, enums) derive from :mod:`dagster_project.contract`; the
rules here are ranges, and SQL selecting the offending rows of rules that span rows or tables,
``{batch}`` standing for the validated table. ``suites.py`` turns both into the GX suites of
``expectations/``. The published tables' gate derives from :mod:`dagster_project.output_contract`.
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
        SqlRule("requisition_only_on_hire", CRITICAL, "requisition_id only on HIRE and REHIRE events",
                "select * from {batch} where requisition_id is not null and event_type not in ('HIRE', 'REHIRE')"),
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
                "select x.* from (select * from {batch}) x join (select * from {batch}) h "
                "using (employee_id, effective_date) "
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
                "select b.* from (select * from {batch}) b join raw.solutions s using (solution_id) "
                "where b.entered_on < s.created_on"),
    ],
    "timesheets": [
        _fk("employee_id", "employees"),
        _fk("solution_id", "solutions"),
        SqlRule("week_start_is_monday", CRITICAL, "week_start must be a Monday",
                "select * from {batch} where date_trunc('week', week_start) <> week_start"),
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
                "from raw.solution_stage_events where stage in ('PILOT', 'PRODUCTION') group by 1) l "
                "using (solution_id) where l.live is null or b.activity_date < l.live"),
    ],
    "cost_lines": [
        _fk("hub_id", "hubs"),
        _fk("solution_id", "solutions"),
        SqlRule("amount_sign_by_charge_type", CRITICAL, "amount > 0 for USAGE and PURCHASE",
                "select * from {batch} where charge_type in ('USAGE', 'PURCHASE') and amount <= 0"),
        SqlRule("fx_rate_exists", CRITICAL, "a rate exists for the posting month and currency unless EUR",
                "select * from (select * from {batch}) c where currency <> 'EUR' and not exists "
                "(select 1 from raw.fx_rates f where f.currency = c.currency "
                "and f.period_month = date_trunc('month', c.posting_date))"),
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
