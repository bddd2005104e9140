-- Hub x quarter: requisitions opened, filled, cancelled, open at quarter end, time to fill.
-- Quarters run from the earlier of the hub's opening and its first requisition (recruiting
-- for a new hub starts before it opens) through as_of_month's quarter. A requisition closed
-- after as_of_date is still open as of that date.
with

requisitions as (select * from {{ ref('stg_hr__requisitions') }}),

hubs as (select * from {{ ref('stg_hr__hubs') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

realised as (
    select
        requisitions.requisition_id,
        requisitions.hub_id,
        requisitions.opened_on,
        case when requisitions.closed_on <= period.as_of_date then requisitions.status else 'OPEN' end as status,
        case when requisitions.closed_on <= period.as_of_date then requisitions.closed_on end as closed_on
    from requisitions cross join period
    where requisitions.opened_on <= period.as_of_date
),

hub_starts as (
    -- the first quarter of a hub: the earlier of its opening and its first requisition
    select
        hubs.hub_id,
        cast(date_trunc('quarter', least(hubs.opened_on, coalesce(min(realised.opened_on), hubs.opened_on))) as date)
            as first_quarter
    from hubs
    left join realised on realised.hub_id = hubs.hub_id
    group by hubs.hub_id, hubs.opened_on
),

hub_quarters as (
    select
        hub_starts.hub_id,
        cast(quarter.generate_series as date) as quarter,
        least(cast(quarter.generate_series + interval 3 month as date) - 1, period.as_of_date) as quarter_end
    from hub_starts
    cross join period
    cross join {{ series(
        'hub_starts.first_quarter', "cast(date_trunc('quarter', period.as_of_month) as date)",
        'interval 3 month', 'quarter'
    ) }}
),

final as (
    select
        hub_quarters.hub_id,
        hub_quarters.quarter,
        count(*) filter (where date_trunc('quarter', r.opened_on) = hub_quarters.quarter) as requisitions_opened,
        count(*) filter (where r.status = 'FILLED' and date_trunc('quarter', r.closed_on) = hub_quarters.quarter)
            as requisitions_filled,
        count(*) filter (where r.status = 'CANCELLED' and date_trunc('quarter', r.closed_on) = hub_quarters.quarter)
            as requisitions_cancelled,
        count(*) filter (
            where r.opened_on <= hub_quarters.quarter_end
            and (r.closed_on is null or r.closed_on > hub_quarters.quarter_end)
        ) as open_at_quarter_end,
        median({{ days_between('r.opened_on', 'r.closed_on') }}) filter (
            where r.status = 'FILLED' and date_trunc('quarter', r.closed_on) = hub_quarters.quarter
        ) as median_days_to_fill
    from hub_quarters
    left join realised as r
        on
            r.hub_id = hub_quarters.hub_id
            and r.opened_on <= hub_quarters.quarter_end
    group by hub_quarters.hub_id, hub_quarters.quarter
)

select * from final
