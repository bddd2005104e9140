-- One row per solution created by as_of_date: its stage at as_of_date and the dates of its
-- first POC (or, when it skipped POC, its first PILOT or PRODUCTION), PILOT and PRODUCTION, and
-- the days from that first POC to the first PRODUCTION.
with

solutions as (select * from {{ ref('stg_projects__solutions') }}),

events as (select * from {{ ref('int_solutions__stage_events') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

firsts as (
    select
        solution_id,
        min(entered_on) filter (where stage = 'POC') as first_poc_event_on,
        min(entered_on) filter (where stage = 'PILOT') as first_pilot_on,
        min(entered_on) filter (where stage = 'PRODUCTION') as first_production_on,
        min(entered_on) filter (where stage in ('PILOT', 'PRODUCTION')) as first_live_on,
        max_by(stage, entered_on) as current_stage,
        max(entered_on) as current_stage_since
    from events
    group by solution_id
),

final as (
    select
        solutions.solution_id,
        solutions.solution_name,
        solutions.hub_id,
        solutions.business_domain,
        solutions.target_users,
        solutions.created_on,
        solutions.monitoring_enabled_on,
        firsts.current_stage,
        firsts.current_stage_since,
        coalesce(firsts.first_poc_event_on, firsts.first_live_on) as first_poc_on,
        firsts.first_pilot_on,
        firsts.first_production_on,
        {{ days_between(
            'coalesce(firsts.first_poc_event_on, firsts.first_live_on)', 'firsts.first_production_on'
        ) }} as days_poc_to_production,
        firsts.first_live_on
    from solutions
    cross join period
    left join firsts using (solution_id)
    where solutions.created_on <= period.as_of_date
)

select * from final
