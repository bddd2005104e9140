-- Solution x month: the stage at month end (the latest transition on or before it) and since
-- when the solution has been in that stage, from its first transition's month through as_of_month.
with

events as (select * from {{ ref('int_solutions__stage_events') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

spine as (
    select
        firsts.solution_id,
        cast(month.generate_series as date) as month,
        cast(last_day(month.generate_series) as date) as month_end
    from (
        select
            solution_id,
            min(entered_on) as first_on
        from events
        group by solution_id
    ) as firsts
    cross join period
    cross join {{ series(
        "cast(date_trunc('month', firsts.first_on) as date)", 'period.as_of_month', 'interval 1 month', 'month'
    ) }}
),

latest as (
    -- the latest transition on or before month end (an as-of join, written as a join and a max:
    -- Spark has no ASOF JOIN; (solution_id, entered_on) is the source's key, so no tie)
    select
        spine.solution_id,
        spine.month,
        max(events.entered_on) as stage_since
    from spine
    left join events
        on
            events.solution_id = spine.solution_id
            and spine.month_end >= events.entered_on
    group by spine.solution_id, spine.month
),

final as (
    select
        spine.solution_id,
        spine.month,
        spine.month_end,
        events.stage,
        latest.stage_since
    from spine
    inner join latest
        on latest.solution_id = spine.solution_id and latest.month = spine.month
    left join events
        on events.solution_id = latest.solution_id and events.entered_on = latest.stage_since
)

select * from final
