-- One row per solution (created by as_of_date): its state at as_of_date (docs/kpis.md).
with

milestones as (select * from {{ ref('int_solutions__milestones') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

final as (
    select
        milestones.solution_id,
        milestones.solution_name,
        milestones.hub_id,
        milestones.business_domain,
        milestones.target_users,
        milestones.current_stage,
        milestones.first_poc_on,
        milestones.first_pilot_on,
        milestones.first_production_on,
        milestones.days_poc_to_production,
        coalesce(milestones.monitoring_enabled_on <= period.as_of_date, false) as is_monitored
    from milestones cross join period
)

select * from final
