-- Activity-based allocation of each hub's pool (its lines without solution_id) to solutions:
-- allocated(h, s, m) = pool(h, m) x hours(h, s, m) / hours(h, m), where hours(h, m) are all
-- non-LEAVE hours of h's people. What INTERNAL and TRAINING hours stand for stays unallocated,
-- and so does a whole pool in a month without hours. Lines posted outside a hub's months count
-- in its first or last month, so no pool is lost.
with

lines as (select * from {{ ref('int_costs__lines_eur') }}),
hub_months as (select * from {{ ref('int_hub_months') }}),
solution_hours as (select * from {{ ref('int_timesheets__hub_solution_hours') }}),
timesheets as (select * from {{ ref('int_timesheets__attributed') }}),
period as (select * from {{ ref('int_reporting_period') }}),

hub_span as (
    select hub_id, min(month) as first_month, max(month) as last_month from hub_months group by hub_id
),

pools as (
    select
        lines.hub_id,
        least(greatest(lines.month, hub_span.first_month), hub_span.last_month) as month,
        sum(lines.amount_eur) as pool_cost_eur
    from lines
    join hub_span using (hub_id)
    where lines.solution_id is null
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
