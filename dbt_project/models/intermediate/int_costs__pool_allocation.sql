-- Each hub's pool (its lines without solution_id), per cost category, allocated to solutions by
-- the category's key (int_costs__allocation_keys):
--   PEOPLE_TIME  allocated(h, c, s, m) = pool(h, c, m) x hours(h, s, m) / hours(h, m), hours(h, m)
--                being all non-LEAVE hours of h's people: what INTERNAL and TRAINING hours stand
--                for stays unallocated, and so does a whole pool in a month without hours;
--   CONSUMPTION  allocated(h, c, s, m) = pool(h, c, m) x direct(h, c, s, m) / direct(h, c, m),
--                direct being h's lines of category c that carry a solution_id (any solution's);
--                when they sum to zero or less (or there are none), PEOPLE_TIME instead.
-- A line counts in its hub_month. applied_key says which key spread the pool; solution_driver
-- and hub_driver are the key's numerator and denominator (hours, or EUR of direct lines).
-- Determinism: the pools and drivers are exact DECIMAL sums; each allocation is one double
-- product and quotient (the same bits whatever the thread order), stored as DECIMAL(38, 18) so
-- that every sum of allocations downstream is exact too (a DOUBLE sum depends on the order in
-- which DuckDB's threads combine it). Rounding at 1e-18 EUR moves no published figure.
with

lines as (
    select * from {{ ref('int_costs__lines_eur') }}
    where hub_month is not null
),

keys as (select * from {{ ref('int_costs__allocation_keys') }}),

solution_hours as (select * from {{ ref('int_timesheets__hub_solution_hours') }}),

timesheets as (select * from {{ ref('int_timesheets__attributed') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

pools as (
    select
        hub_id,
        hub_month as month,
        cost_category,
        sum(amount_eur) as pool_cost_eur
    from lines
    where solution_id is null
    group by all
),

consumption as (
    select
        hub_id,
        hub_month as month,
        cost_category,
        solution_id,
        sum(amount_eur) as direct_cost_eur
    from lines
    where solution_id is not null
    group by all
),

consumption_totals as (
    select
        hub_id,
        month,
        cost_category,
        sum(direct_cost_eur) as direct_cost_eur
    from consumption
    group by all
),

working_hours as (
    select
        timesheets.hub_id,
        timesheets.month,
        sum(timesheets.hours) as working_hours
    from timesheets cross join period
    where timesheets.activity_type <> 'LEAVE' and timesheets.month <= period.as_of_month
    group by all
),

keyed_pools as (
    select
        pools.*,
        case
            when keys.allocation_key = 'CONSUMPTION' and consumption_totals.direct_cost_eur > 0
                then 'CONSUMPTION'
            else 'PEOPLE_TIME'
        end as applied_key
    from pools
    inner join keys using (cost_category)
    left join consumption_totals using (hub_id, month, cost_category)
),

by_consumption as (
    select
        keyed_pools.*,
        consumption.solution_id,
        cast(consumption.direct_cost_eur as double) as solution_driver,
        cast(consumption_totals.direct_cost_eur as double) as hub_driver
    from keyed_pools
    inner join consumption using (hub_id, month, cost_category)
    inner join consumption_totals using (hub_id, month, cost_category)
    where keyed_pools.applied_key = 'CONSUMPTION'
),

by_people_time as (
    select
        keyed_pools.*,
        solution_hours.solution_id,
        cast(solution_hours.solution_hours as double) as solution_driver,
        cast(working_hours.working_hours as double) as hub_driver
    from keyed_pools
    inner join working_hours using (hub_id, month)
    inner join solution_hours using (hub_id, month)
    where keyed_pools.applied_key = 'PEOPLE_TIME'
),

final as (
    select
        hub_id,
        month,
        cost_category,
        solution_id,
        applied_key,
        pool_cost_eur,
        solution_driver,
        hub_driver,
        cast(cast(pool_cost_eur as double) * solution_driver / hub_driver as decimal(38, 18)) as allocated_cost_eur
    from (
        select * from by_consumption
        union all
        select * from by_people_time
    ) as drivers
)

select * from final
