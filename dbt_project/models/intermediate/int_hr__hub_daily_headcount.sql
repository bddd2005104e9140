-- Headcount of every hub at the close of every day, from the assignment intervals with
-- running sums of +1/-1 deltas (hubs x days, never people x days). cumulative_headcount is
-- the running sum of the daily headcount, so any window's daily average is two lookups.
with

assignments as (select * from {{ ref('int_hr__assignments') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

hubs as (select hub_id from {{ ref('stg_hr__hubs') }}),

deltas as (
    -- an interval that starts before the calendar counts from its first day
    select
        assignments.hub_id,
        greatest(assignments.valid_from, period.first_month) as day,
        1 as sign,
        assignments.worker_type,
        assignments.role_family,
        assignments.fte
    from assignments cross join period
    union all
    select
        assignments.hub_id,
        greatest(assignments.valid_to, period.first_month) as day,
        -1 as sign,
        assignments.worker_type,
        assignments.role_family,
        assignments.fte
    from assignments cross join period
    where assignments.valid_to is not null and assignments.valid_to <= period.as_of_date
),

daily_deltas as (
    select
        hub_id,
        day,
        sum(case when worker_type = 'EMPLOYEE' then sign else 0 end) as headcount,
        -- FTE summed in DECIMAL: exact, so the same bits whatever the order of the parallel sum
        sum(case when worker_type = 'EMPLOYEE' then sign * cast(fte as decimal(18, 12)) else 0 end) as fte,
        sum(case when worker_type = 'CONTRACTOR' then sign else 0 end) as contractor_headcount,
        sum(case when worker_type = 'EMPLOYEE' and role_family = 'DATA_SCIENCE' then sign else 0 end)
            as headcount_data_science,
        sum(case when worker_type = 'EMPLOYEE' and role_family = 'IT' then sign else 0 end) as headcount_it,
        sum(case when worker_type = 'EMPLOYEE' and role_family = 'BUSINESS' then sign else 0 end)
            as headcount_business
    from deltas
    group by hub_id, day
),

calendar as (
    select
        hubs.hub_id,
        cast(day.generate_series as date) as day
    from hubs
    cross join period
    cross join {{ series('period.first_month', 'period.as_of_date', 'interval 1 day', 'day') }}
),

daily as (
    select
        calendar.hub_id,
        calendar.day,
        cast(sum(coalesce(d.headcount, 0)) over w as integer) as headcount,
        cast(round(sum(coalesce(d.fte, 0)) over w, 6) as double) as fte,
        cast(sum(coalesce(d.contractor_headcount, 0)) over w as integer) as contractor_headcount,
        cast(sum(coalesce(d.headcount_data_science, 0)) over w as integer) as headcount_data_science,
        cast(sum(coalesce(d.headcount_it, 0)) over w as integer) as headcount_it,
        cast(sum(coalesce(d.headcount_business, 0)) over w as integer) as headcount_business
    from calendar
    left join daily_deltas as d using (hub_id, day)
    window w as (partition by calendar.hub_id order by calendar.day rows unbounded preceding)
),

final as (
    select
        *,
        cast(sum(headcount) over (partition by hub_id order by day rows unbounded preceding) as bigint)
            as cumulative_headcount
    from daily
)

select * from final
