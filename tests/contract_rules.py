"""Every Error and Warning rule of docs/sources.md as a SQL query over the raw tables.

Each query selects the offending rows; the tests assert that generated data has none.
Written independently of the generator (and of the validation layer) on purpose.
"""

from dagster_project.contract import (
    ACTIVITY_TYPES,
    BUSINESS_DOMAINS,
    CHARGE_TYPES,
    COST_CATEGORIES,
    EVENT_TYPES,
    EXIT_TYPES,
    REQUISITION_STATUSES,
    ROLES,
    STAGES,
    WORKER_TYPES,
)


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


SPELLS = """
    with ordered as (
        select *, sum(case when event_type in ('HIRE', 'REHIRE') then 1 else 0 end)
                  over (partition by employee_id order by effective_date, event_id) as spell_no
        from raw.employment_events)
    select employee_id, spell_no, min(effective_date) as spell_start,
           max(case when event_type = 'EXIT' then effective_date end) as spell_end
    from ordered group by all
"""

ORDERED_EVENTS = """
    with ordered as (
        select *, row_number() over w as rn, lag(event_type) over w as prev_type, lag(hub_id) over w as prev_hub
        from raw.employment_events
        window w as (partition by employee_id order by effective_date,
            case when event_type in ('HIRE', 'REHIRE') then 0 when event_type = 'EXIT' then 2 else 1 end))
"""

SEQUENCE = ORDERED_EVENTS + """
    select * from ordered where
        (rn = 1 and event_type <> 'HIRE')
        or (rn > 1 and event_type = 'HIRE')
        or (event_type = 'REHIRE' and prev_type <> 'EXIT')
        or (event_type in ('TRANSFER', 'JOB_CHANGE', 'EXIT') and (prev_type is null or prev_type = 'EXIT'))
"""

RULES: dict[str, str] = {
    # hubs
    "hubs.pk": "select hub_id from raw.hubs group by 1 having count(*) > 1",
    "hubs.name_unique": "select hub_name from raw.hubs group by 1 having count(*) > 1",
    "hubs.not_null": "select * from raw.hubs where hub_id is null or hub_name is null or opened_on is null",
    "hubs.closed_after_opened": "select * from raw.hubs where closed_on < opened_on",
    "hubs.target_positive": "select * from raw.hubs where critical_mass_target <= 0",
    # employees
    "employees.pk": "select employee_id from raw.employees group by 1 having count(*) > 1",
    "employees.worker_type": f"select * from raw.employees where worker_type not in {_in(WORKER_TYPES)} "
                             "or worker_type is null",
    # employment events
    "events.pk": "select event_id from raw.employment_events group by 1 having count(*) > 1",
    "events.fk_employee": "select * from raw.employment_events "
                          "where employee_id not in (select employee_id from raw.employees)",
    "events.event_type": f"select * from raw.employment_events where event_type not in {_in(EVENT_TYPES)} "
                         "or event_type is null",
    "events.fk_hub": "select * from raw.employment_events where hub_id not in (select hub_id from raw.hubs)",
    "events.assignment_fields": f"""select * from raw.employment_events where case when event_type = 'EXIT'
        then hub_id is not null or role is not null or fte is not null
        else hub_id is null or role is null or role not in {_in(ROLES)} or fte is null or fte <= 0 or fte > 1 end""",
    "events.exit_fields": f"""select * from raw.employment_events where case when event_type = 'EXIT'
        then exit_type is null or exit_type not in {_in(EXIT_TYPES)} or is_regretted is null
             or (is_regretted and exit_type <> 'VOLUNTARY')
        else exit_type is not null or is_regretted is not null end""",
    "events.fk_requisition": """select * from raw.employment_events where requisition_id is not null
        and requisition_id not in (select requisition_id from raw.requisitions)""",
    "events.sequence": SEQUENCE,
    "events.same_hub_transfer": ORDERED_EVENTS + "select * from ordered "
                                                 "where event_type = 'TRANSFER' and hub_id = prev_hub",
    "events.same_day_hire_exit": """select a.* from raw.employment_events a join raw.employment_events b
        using (employee_id, effective_date) where a.event_type in ('HIRE', 'REHIRE') and b.event_type = 'EXIT'""",
    # requisitions
    "requisitions.pk": "select requisition_id from raw.requisitions group by 1 having count(*) > 1",
    "requisitions.fk_hub": "select * from raw.requisitions where hub_id not in (select hub_id from raw.hubs)",
    "requisitions.enums": f"select * from raw.requisitions where role not in {_in(ROLES)} "
                          f"or status not in {_in(REQUISITION_STATUSES)}",
    "requisitions.status_fields": """select * from raw.requisitions where
        (status = 'OPEN') = (closed_on is not null) or closed_on < opened_on
        or (status = 'FILLED') = (hired_employee_id is null)""",
    "requisitions.fk_hired": """select * from raw.requisitions where hired_employee_id
        not in (select employee_id from raw.employees)""",
    # solutions and stages
    "solutions.pk": "select solution_id from raw.solutions group by 1 having count(*) > 1",
    "solutions.fk_hub": "select * from raw.solutions where hub_id not in (select hub_id from raw.hubs)",
    "solutions.fields": f"""select * from raw.solutions where business_domain not in {_in(BUSINESS_DOMAINS)}
        or target_users < 0 or solution_name is null or created_on is null""",
    "stages.pk": "select solution_id, entered_on from raw.solution_stage_events group by all having count(*) > 1",
    "stages.fk_solution": "select * from raw.solution_stage_events "
                          "where solution_id not in (select solution_id from raw.solutions)",
    "stages.stage": f"select * from raw.solution_stage_events where stage not in {_in(STAGES)}",
    "stages.before_created": """select e.* from raw.solution_stage_events e join raw.solutions s using (solution_id)
        where e.entered_on < s.created_on""",
    # timesheets
    "timesheets.pk": """select employee_id, week_start, activity_type, coalesce(solution_id, '<null>')
        from raw.timesheets group by all having count(*) > 1""",
    "timesheets.fk_employee": "select * from raw.timesheets "
                              "where employee_id not in (select employee_id from raw.employees)",
    "timesheets.monday": "select * from raw.timesheets where isodow(week_start) <> 1",
    "timesheets.activity": f"select * from raw.timesheets where activity_type not in {_in(ACTIVITY_TYPES)}",
    "timesheets.solution_by_activity": """select * from raw.timesheets
        where (activity_type in ('BUILD', 'RUN')) <> (solution_id is not null)""",
    "timesheets.fk_solution": "select * from raw.timesheets "
                              "where solution_id not in (select solution_id from raw.solutions)",
    "timesheets.hours": "select * from raw.timesheets where hours <= 0 or hours > 60",
    "timesheets.week_total": "select employee_id, week_start from raw.timesheets group by all having sum(hours) > 60",
    "timesheets.employed": f"""select t.* from raw.timesheets t where not exists (
        select 1 from ({SPELLS}) s where s.employee_id = t.employee_id and s.spell_start <= t.week_start + 6
        and (s.spell_end is null or s.spell_end >= t.week_start))""",
    # usage
    "usage.pk": "select solution_id, activity_date, user_id from raw.usage_events group by all having count(*) > 1",
    "usage.fk_solution": "select * from raw.usage_events "
                         "where solution_id not in (select solution_id from raw.solutions)",
    "usage.n_actions": "select * from raw.usage_events where n_actions < 1",
    "usage.no_email": "select * from raw.usage_events where user_id like '%@%.%'",
    "usage.before_live": """select u.* from raw.usage_events u join (select solution_id, min(entered_on) as live
        from raw.solution_stage_events where stage in ('PILOT', 'PRODUCTION') group by 1) l using (solution_id)
        where u.activity_date < l.live""",
    # costs
    "cost_lines.pk": "select line_id from raw.cost_lines group by 1 having count(*) > 1",
    "cost_lines.fk_hub": "select * from raw.cost_lines where hub_id not in (select hub_id from raw.hubs)",
    "cost_lines.fk_solution": "select * from raw.cost_lines "
                              "where solution_id not in (select solution_id from raw.solutions)",
    "cost_lines.enums": f"""select * from raw.cost_lines where cost_category not in {_in(COST_CATEGORIES)}
        or charge_type not in {_in(CHARGE_TYPES)}""",
    "cost_lines.amount_sign": "select * from raw.cost_lines where charge_type in ('USAGE', 'PURCHASE') and amount <= 0",
    "cost_lines.fx_exists": """select * from raw.cost_lines c where currency <> 'EUR' and not exists (
        select 1 from raw.fx_rates f where f.currency = c.currency """
                            """and f.period_month = date_trunc('month', c.posting_date))""",
    "cost_lines.staff_with_solution": "select * from raw.cost_lines "
                                      "where cost_category = 'STAFF' and solution_id is not null",
    "fx_rates.pk": "select period_month, currency from raw.fx_rates group by all having count(*) > 1",
    "fx_rates.rate": "select * from raw.fx_rates where rate_to_eur <= 0 or (currency = 'EUR' and rate_to_eur <> 1)",
    "fx_rates.jump": """select * from (select *, lag(rate_to_eur) over (partition by currency order by period_month) """
                     """as prev
        from raw.fx_rates) where abs(rate_to_eur / prev - 1) > 0.2""",
    "budgets.pk": "select hub_id, year from raw.budgets group by all having count(*) > 1",
    "budgets.fk_hub": "select * from raw.budgets where hub_id not in (select hub_id from raw.hubs)",
    "budgets.non_negative": "select * from raw.budgets where budget_eur < 0",
}
