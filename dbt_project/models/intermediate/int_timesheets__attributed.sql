-- Realised timesheet rows (week_start <= as_of_date), each with the hub and worker type of
-- the person's assignment at the close of week_start. A person hired mid-week has no
-- assignment on that Monday: the week then belongs to the first assignment inside the week.
with

timesheets as (select * from {{ ref('stg_projects__timesheets') }}),
assignments as (select * from {{ ref('int_hr__assignments') }}),
period as (select * from {{ ref('int_reporting_period') }}),

realised as (
    select timesheets.*
    from timesheets cross join period
    where timesheets.week_start <= period.as_of_date
),

candidates as (
    select
        realised.*,
        assignments.hub_id,
        assignments.worker_type,
        assignments.spell_no,
        row_number() over (
            partition by realised.employee_id, realised.week_start, realised.activity_type, realised.solution_id
            order by (assignments.valid_from <= realised.week_start) desc, assignments.valid_from
        ) as preference
    from realised
    left join assignments
        on assignments.employee_id = realised.employee_id
       and assignments.valid_from <= realised.week_start + 6
       and (assignments.valid_to is null or assignments.valid_to > realised.week_start)
),

final as (
    select
        employee_id,
        week_start,
        month,
        activity_type,
        solution_id,
        hours,
        hub_id,
        worker_type,
        spell_no,
        activity_type in ('BUILD', 'RUN') as is_solution_work
    from candidates
    where preference = 1
)

select * from final
