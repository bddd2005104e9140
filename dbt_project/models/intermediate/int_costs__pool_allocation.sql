-- Activity-based allocation of each hub's pool (its lines without solution_id) to solutions:
-- allocated(h, s, m) = pool(h, m) x hours(h, s, m) / hours(h, m), where hours(h, m) are all
-- non-LEAVE hours of h's people. What INTERNAL and TRAINING hours stand for stays unallocated,
-- and so does a whole pool in a month without hours. A pool line counts in its hub_month.
with

lines as (select * from {{ ref('int_costs__lines_eur') }}),
solution_hours as (select * from {{ ref('int_timesheets__hub_solution_hours') }}),
timesheets as (select * from {{ ref('int_timesheets__attributed') }}),
period as (select * from {{ ref('int_reporting_period') }}),

pools as (
    select hub_id, hub_month as month, sum(amount_eur) as pool_cost_eur
    from lines
    where solution_id is null and hub_month is not null
    group by all
),

working_hours as (
    select timesheets.hub_id, timesheets.month, sum(timesheets.hours) as working_hours
    from timesheets cross join period
    where timesheets.activity_type <> 'LEAVE' and timesheets.month <= period.as_of_month
    group by all
),

final as (
    select
        pools.hub_id,
        pools.month,
        solution_hours.solution_id,
        pools.pool_cost_eur,
        working_hours.working_hours,
        solution_hours.solution_hours,
        cast(pools.pool_cost_eur as double) * solution_hours.solution_hours / working_hours.working_hours
            as allocated_cost_eur
    from pools
    join working_hours using (hub_id, month)
    join solution_hours using (hub_id, month)
)

select * from final
