-- Hub x month, trailing 12-month window: retention of the people present at its start,
-- separations (attrition) over the daily average headcount, and first-year attrition of the
-- hires of the 12 months before the window (docs/kpis.md). Nothing here splits exits by reason
-- (that is exit_reasons), so nothing is suppressed: each rate's denominator is beside it.
with

hub_months as (select * from {{ ref('int_hr__hub_months') }}),

daily as (select * from {{ ref('int_hr__hub_daily_headcount') }}),

assignments as (
    select * from {{ ref('int_hr__assignments') }}
    where worker_type = 'EMPLOYEE'
),

spells as (select * from {{ ref('int_hr__spells') }}),

flows as (
    select * from {{ ref('int_hr__employee_flows') }}
    where flow = 'EXIT'
),

hire_outcomes as (select * from {{ ref('int_hr__hire_outcomes') }}),

hubs as (select * from {{ ref('stg_hr__hubs') }}),

windows as (
    select
        hub_id,
        month,
        cast(month - interval 11 month as date) as window_start,
        month_end as window_end,
        cast(month - interval 11 month as date) - 1 as day_before_window,
        -- first-year cohort: hires of months -23 .. -12 (through day_before_window), each
        -- observed for a full year by window_end
        cast(month - interval 23 month as date) as cohort_start
    from hub_months
),

cohort as (
    -- the hub's employees at the close of the day before the window
    select
        windows.hub_id,
        windows.month,
        windows.window_end,
        assignments.employee_id,
        assignments.spell_no
    from windows
    inner join assignments
        on
            assignments.hub_id = windows.hub_id
            and assignments.valid_from <= windows.day_before_window
            and (assignments.valid_to is null or assignments.valid_to > windows.day_before_window)
),

cohort_outcome as (
    select
        cohort.hub_id,
        cohort.month,
        count(*) as opening_headcount,
        count(*) filter (where spells.spell_end is null or spells.spell_end > cohort.window_end) as retained_in_company,
        count(*) filter (where exists (
            select 1 from assignments as later
            where
                later.employee_id = cohort.employee_id
                and later.spell_no = cohort.spell_no
                and later.hub_id = cohort.hub_id
                and later.valid_from <= cohort.window_end
                and (later.valid_to is null or later.valid_to > cohort.window_end)
        )) as retained_in_hub
    from cohort
    inner join spells using (employee_id, spell_no)
    group by cohort.hub_id, cohort.month
),

exits as (
    select
        windows.hub_id,
        windows.month,
        count(*) as exits_12m
    from windows
    inner join flows
        on
            flows.hub_id = windows.hub_id
            and flows.flow_date between windows.window_start and windows.window_end
    group by windows.hub_id, windows.month
),

first_year as (
    select
        windows.hub_id,
        windows.month,
        count(*) as first_year_cohort,
        count(*) filter (where hire_outcomes.left_within_first_year) as first_year_exits
    from windows
    inner join hire_outcomes
        on
            hire_outcomes.hub_id = windows.hub_id
            and hire_outcomes.hire_date between windows.cohort_start and windows.day_before_window
    group by windows.hub_id, windows.month
),

average as (
    select
        windows.hub_id,
        windows.month,
        (coalesce(at_end.cumulative_headcount, 0) - coalesce(before.cumulative_headcount, 0))
        / cast({{ days_between('windows.window_start', 'windows.window_end') }} + 1 as double) as avg_headcount_12m
    from windows
    left join daily as at_end on at_end.hub_id = windows.hub_id and at_end.day = windows.window_end
    left join daily as before on before.hub_id = windows.hub_id and before.day = windows.day_before_window
),

combined as (
    select
        windows.hub_id,
        windows.month,
        windows.window_start,
        windows.window_end,
        coalesce(cohort_outcome.opening_headcount, 0) as opening_headcount,
        coalesce(cohort_outcome.retained_in_company, 0) as retained_in_company,
        coalesce(cohort_outcome.retained_in_hub, 0) as retained_in_hub,
        coalesce(exits.exits_12m, 0) as exits_12m,
        average.avg_headcount_12m,
        coalesce(first_year.first_year_cohort, 0) as first_year_cohort,
        coalesce(first_year.first_year_exits, 0) as first_year_exits,
        hubs.opened_on <= windows.window_start as is_full_window
    from windows
    inner join hubs using (hub_id)
    inner join average using (hub_id, month)
    left join cohort_outcome using (hub_id, month)
    left join exits using (hub_id, month)
    left join first_year using (hub_id, month)
),

final as (
    select
        hub_id,
        month,
        window_start,
        window_end,
        opening_headcount,
        retained_in_company,
        retained_in_hub,
        {{ safe_ratio('retained_in_company', 'opening_headcount') }} as retention_rate,
        {{ safe_ratio('retained_in_hub', 'opening_headcount') }} as hub_retention_rate,
        exits_12m,
        avg_headcount_12m,
        {{ safe_ratio('exits_12m', 'avg_headcount_12m') }} as attrition_rate_12m,
        first_year_cohort,
        first_year_exits,
        {{ safe_ratio('first_year_exits', 'first_year_cohort') }} as first_year_attrition_rate,
        is_full_window
    from combined
)

select * from final
