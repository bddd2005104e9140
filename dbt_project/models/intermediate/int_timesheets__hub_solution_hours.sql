-- Hub x solution x month: BUILD and RUN hours that the hub's people (employees and
-- contractors, attributed to their hub at the close of week_start) spent on each solution.
with

timesheets as (select * from {{ ref('int_timesheets__attributed') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

final as (
    select
        timesheets.hub_id,
        timesheets.solution_id,
        timesheets.month,
        sum(timesheets.hours) filter (where timesheets.activity_type = 'BUILD') as build_hours,
        sum(timesheets.hours) filter (where timesheets.activity_type = 'RUN') as run_hours,
        sum(timesheets.hours) as solution_hours
    from timesheets cross join period
    where
        timesheets.is_solution_work
        and timesheets.month <= period.as_of_month
    group by all
)

select * from final
