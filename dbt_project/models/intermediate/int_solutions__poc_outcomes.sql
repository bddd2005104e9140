-- One row per solution with a first POC (first_poc_on, docs/kpis.md): whether it reached
-- production within industrialization_window_days, and from which day it has been observed long
-- enough to count (eligible_on = first_poc_on + the window). Read by industrialization (eligible
-- at as_of_date, per hub and cohort year) and company_scorecard (eligible at each month end).
with

milestones as (
    select * from {{ ref('int_solutions__milestones') }}
    where first_poc_on is not null
),

final as (
    select
        solution_id,
        hub_id,
        current_stage,
        first_poc_on,
        cast(year(first_poc_on) as integer) as cohort_year,
        first_production_on,
        days_poc_to_production,
        first_poc_on + {{ var('industrialization_window_days') }} as eligible_on,
        coalesce(days_poc_to_production <= {{ var('industrialization_window_days') }}, false)
            as is_industrialized_in_window
    from milestones
)

select * from final
