-- Hub x month: how much of the hub's talent works on solutions (docs/kpis.md). Employees
-- only, like every people rate; contractors' hours are left out.
with

hub_months as (select * from {{ ref('int_hr__hub_month_end_headcount') }}),

assignments as (
    select * from {{ ref('int_hr__assignments') }}
    where worker_type = 'EMPLOYEE'
),

timesheets as (
    select * from {{ ref('int_timesheets__attributed') }}
    where worker_type = 'EMPLOYEE'
),

flows as (
    select * from {{ ref('int_hr__employee_flows') }}
    where flow = 'HIRE'
),

members as (
    -- employees assigned to the hub at month end
    select
        hub_months.hub_id,
        hub_months.month,
        assignments.employee_id
    from hub_months
    inner join assignments
        on
            assignments.hub_id = hub_months.hub_id
            and assignments.valid_from <= hub_months.month_end
            and (assignments.valid_to is null or assignments.valid_to > hub_months.month_end)
),

person_month as (
    select
        employee_id,
        month,
        sum(hours) filter (where is_solution_work) as solution_hours
    from timesheets
    group by employee_id, month
),

person_solution_month as (
    select
        employee_id,
        solution_id,
        month,
        sum(hours) as hours
    from timesheets
    where is_solution_work
    group by employee_id, solution_id, month
),

member_solutions as (
    -- per member: solutions with >= staffing_min_hours in the trailing 12 months
    select
        members.hub_id,
        members.month,
        members.employee_id,
        count(*) as solutions_12m
    from (
        select
            members.hub_id,
            members.month,
            members.employee_id,
            psm.solution_id
        from members
        inner join person_solution_month as psm
            on
                psm.employee_id = members.employee_id
                and psm.month between cast(members.month - interval 11 month as date) and members.month
        group by members.hub_id, members.month, members.employee_id, psm.solution_id
        having sum(psm.hours) >= {{ var('staffing_min_hours') }}
    ) as members
    group by members.hub_id, members.month, members.employee_id
),

member_stats as (
    select
        members.hub_id,
        members.month,
        count(*) filter (where person_month.solution_hours >= {{ var('staffing_min_hours') }}) as staffed_headcount,
        avg(coalesce(member_solutions.solutions_12m, 0)) as solutions_per_talent_12m
    from members
    left join person_month using (employee_id, month)
    left join member_solutions using (hub_id, month, employee_id)
    group by members.hub_id, members.month
),

hub_hours as (
    -- a month with working hours but none on solutions (a ramp-up month) has a staffing rate of 0;
    -- only a month without working hours has none (safe_ratio: NULL denominator)
    select
        hub_id,
        month,
        coalesce(sum(hours) filter (where is_solution_work), 0) as solution_hours,
        sum(hours) filter (where activity_type <> 'LEAVE') as working_hours
    from timesheets
    group by hub_id, month
),

first_staffing as (
    -- each hire's first week with BUILD/RUN hours in the same spell (the week of the hire included)
    select
        flows.hub_id,
        flows.employee_id,
        flows.flow_date as hire_date,
        -- NULL while not staffed yet (greatest() would turn NULL into 0)
        case
            when min(timesheets.week_start) is not null
                then greatest(0, {{ days_between('flows.flow_date', 'min(timesheets.week_start)') }})
        end as days_to_first_staffing
    from flows
    left join timesheets
        on
            timesheets.employee_id = flows.employee_id
            and timesheets.spell_no = flows.spell_no
            and timesheets.is_solution_work
            and timesheets.week_start >= flows.flow_date - 6
    group by flows.hub_id, flows.employee_id, flows.flow_date
),

hires_12m as (
    select
        hub_months.hub_id,
        hub_months.month,
        count(*) as new_hires_12m,
        median(first_staffing.days_to_first_staffing) as median_days_to_first_staffing
    from hub_months
    inner join first_staffing
        on
            first_staffing.hub_id = hub_months.hub_id
            and first_staffing.hire_date between cast(
                hub_months.month - interval 11 month as date
            ) and hub_months.month_end
    group by hub_months.hub_id, hub_months.month
),

final as (
    select
        hub_months.hub_id,
        hub_months.month,
        hub_months.headcount,
        coalesce(member_stats.staffed_headcount, 0) as staffed_headcount,
        {{ safe_ratio('hub_hours.solution_hours', 'hub_hours.working_hours') }} as staffing_rate,
        member_stats.solutions_per_talent_12m,
        coalesce(hires_12m.new_hires_12m, 0) as new_hires_12m,
        hires_12m.median_days_to_first_staffing
    from hub_months
    left join member_stats on member_stats.hub_id = hub_months.hub_id and member_stats.month = hub_months.month
    left join hub_hours on hub_hours.hub_id = hub_months.hub_id and hub_hours.month = hub_months.month
    left join hires_12m on hires_12m.hub_id = hub_months.hub_id and hires_12m.month = hub_months.month
)

select * from final
