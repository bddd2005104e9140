-- Hub x cohort_year (year of first_poc_on): do POCs reach production within the window?
-- A POC is eligible once observed for industrialization_window_days; the rate is
-- industrialised / eligible, so young (censored) POCs never count as failures.
with

pocs as (select * from {{ ref('int_solutions__poc_outcomes') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

flagged as (
    select
        pocs.*,
        pocs.eligible_on <= period.as_of_date as is_eligible
    from pocs cross join period
),

final as (
    select
        hub_id,
        cohort_year,
        count(*) as pocs_started,
        count(*) filter (where is_eligible) as eligible_pocs,
        count(*) filter (where is_eligible and is_industrialized_in_window) as industrialized,
        {{ safe_ratio(
            "count(*) filter (where is_eligible and is_industrialized_in_window)",
            "count(*) filter (where is_eligible)") }} as industrialization_rate,
        count(*) filter (where first_production_on is not null) as reached_production,
        count(*) filter (where current_stage = 'STOPPED') as stopped,
        median(days_poc_to_production) as median_days_poc_to_production,
        count(*) filter (where is_eligible) = count(*) as is_mature
    from flagged
    group by hub_id, cohort_year
)

select * from final
