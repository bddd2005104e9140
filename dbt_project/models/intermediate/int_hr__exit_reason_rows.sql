-- The candidate rows of exit_reasons before suppression: every scope (a hub, or COMPANY) x
-- every calendar quarter and year that ended on or before as_of_date and overlaps the scope's
-- open months, with its exits, reason counts and daily average headcount (docs/kpis.md).
-- A period still running never appears, so a row does not change from one night to the next.
-- avg_headcount = head-days / days, head-days being the integer sum of the daily headcount
-- (summed over hubs as integers for COMPANY) and the division the last step: a sum of the
-- hubs' DOUBLE averages would depend on the order in which DuckDB's threads combine it.
with

period as (select * from {{ ref('int_calendar__reporting_period') }}),

hub_months as (select * from {{ ref('int_hr__hub_months') }}),

cells as (select * from {{ ref('int_hr__exit_reason_cells') }}),

daily as (select * from {{ ref('int_hr__hub_daily_headcount') }}),

periods as (
    select
        'QUARTER' as period_type,
        cast(start.generate_series as date) as period_start,
        cast(start.generate_series + interval 3 month as date) - 1 as period_end
    from period
    cross join {{ series("date_trunc('year', period.first_month)", 'period.as_of_date', 'interval 3 month', 'start') }}
    union all
    select
        'YEAR' as period_type,
        cast(start.generate_series as date) as period_start,
        cast(start.generate_series + interval 1 year as date) - 1 as period_end
    from period
    cross join {{ series("date_trunc('year', period.first_month)", 'period.as_of_date', 'interval 1 year', 'start') }}
),

completed as (
    select periods.* from periods cross join period
    where periods.period_end <= period.as_of_date
),

hub_periods as (
    -- every hub x completed period: its exits by reason and its daily average headcount
    select
        hubs.hub_id,
        completed.period_type,
        completed.period_start,
        completed.period_end,
        coalesce(sum(cells.exits), 0) as exits,
        coalesce(sum(cells.voluntary_exits), 0) as voluntary_exits,
        coalesce(sum(cells.involuntary_exits), 0) as involuntary_exits,
        coalesce(sum(cells.other_exits), 0) as other_exits,
        coalesce(sum(cells.regretted_exits), 0) as regretted_exits
    from (select distinct hub_id from hub_months) as hubs
    cross join completed
    left join cells
        on
            cells.hub_id = hubs.hub_id
            and cells.quarter_start between completed.period_start and completed.period_end
    group by all
),

hub_head_days as (
    select
        hub_periods.*,
        coalesce(at_end.cumulative_headcount, 0) - coalesce(before.cumulative_headcount, 0) as head_days
    from hub_periods
    left join daily as at_end on at_end.hub_id = hub_periods.hub_id and at_end.day = hub_periods.period_end
    left join daily as before on before.hub_id = hub_periods.hub_id and before.day = hub_periods.period_start - 1
),

open_spans as (
    select
        hub_id,
        min(month) as first_month,
        max(month_end) as last_day
    from hub_months
    group by hub_id
),

hub_rows as (
    select
        hub_head_days.hub_id as scope,
        hub_head_days.period_type,
        hub_head_days.period_start,
        hub_head_days.period_end,
        hub_head_days.exits,
        hub_head_days.voluntary_exits,
        hub_head_days.involuntary_exits,
        hub_head_days.other_exits,
        hub_head_days.regretted_exits,
        hub_head_days.head_days
        / cast({{ days_between('hub_head_days.period_start', 'hub_head_days.period_end') }} + 1 as double)
            as avg_headcount
    from hub_head_days
    inner join open_spans
        on
            open_spans.hub_id = hub_head_days.hub_id
            and hub_head_days.period_start <= open_spans.last_day
            and hub_head_days.period_end >= open_spans.first_month
),

company_rows as (
    -- employees of all hubs: a move between hubs is no exit
    select
        'COMPANY' as scope,
        hub_head_days.period_type,
        hub_head_days.period_start,
        hub_head_days.period_end,
        sum(hub_head_days.exits) as exits,
        sum(hub_head_days.voluntary_exits) as voluntary_exits,
        sum(hub_head_days.involuntary_exits) as involuntary_exits,
        sum(hub_head_days.other_exits) as other_exits,
        sum(hub_head_days.regretted_exits) as regretted_exits,
        sum(hub_head_days.head_days)
        / cast({{ days_between('hub_head_days.period_start', 'hub_head_days.period_end') }} + 1 as double)
            as avg_headcount
    from hub_head_days
    cross join period
    where hub_head_days.period_end >= period.first_month
    group by hub_head_days.period_type, hub_head_days.period_start, hub_head_days.period_end
),

final as (
    select
        *,
        {{ var('min_group_size') }} as min_group_size
    from hub_rows
    union all
    select
        *,
        {{ var('min_group_size') }} as min_group_size
    from company_rows
)

select * from final
