-- Realised timesheet rows (week_start <= as_of_date), each with the hub and worker type of
-- the person's assignment at the close of week_start. Two weeks have none, yet are valid
-- ("employed during that week"): when week_start is the last day employed (an EXIT on a
-- Monday), the week belongs to the assignment held that day; when the person is hired
-- mid-week, to the first assignment inside the week. No hours are dropped.
-- hours is DECIMAL(18, 12) from here on (the source's DOUBLE to 1e-12 h): every sum of hours
-- downstream is then exact, the same bits whatever the order of DuckDB's parallel sum, and a
-- threshold such as staffing_min_hours is never missed by a rounding error of a DOUBLE sum.
with

timesheets as (select * from {{ ref('stg_projects__timesheets') }}),

assignments as (select * from {{ ref('int_hr__assignments') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

realised as (
    select
        timesheets.*,
        cast(date_trunc('month', timesheets.week_start) as date) as month
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
            order by
                case when
                    assignments.valid_from <= realised.week_start
                    and (assignments.valid_to is null or assignments.valid_to > realised.week_start) then 0
                when assignments.valid_from <= realised.week_start then 1
                else 2 end,
                abs({{ days_between('realised.week_start', 'assignments.valid_from') }})
        ) as preference
    from realised
    left join assignments
        on
            assignments.employee_id = realised.employee_id
            and assignments.valid_from <= realised.week_start + 6
            and (assignments.valid_to is null or assignments.valid_to >= realised.week_start)
),

final as (
    select
        employee_id,
        week_start,
        month,
        activity_type,
        solution_id,
        cast(hours as decimal(18, 12)) as hours,
        hub_id,
        worker_type,
        spell_no,
        activity_type in ('BUILD', 'RUN') as is_solution_work
    from candidates
    where preference = 1
)

select * from final
