-- Realised lifecycle transitions (entered_on <= as_of_date).
with

events as (select * from {{ ref('stg_projects__solution_stage_events') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

final as (
    select
        events.solution_id,
        events.stage,
        events.entered_on
    from events cross join period
    where events.entered_on <= period.as_of_date
)

select * from final
