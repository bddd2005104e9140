-- Hub x cohort_year (year of first_poc_on): do POCs reach production within the window?
-- A POC is eligible once observed for industrialization_window_days; the rate is
-- industrialised / eligible, so young (censored) POCs never count as failures.
with

lifecycle as (select * from {{ ref('solution_lifecycle') }} where first_poc_on is not null),
period as (select * from {{ ref('int_calendar__reporting_period') }}),

flagged as (
    select
        lifecycle.*,
        lifecycle.first_poc_on <= period.as_of_date - {{ var('industrialization_window_days') }} as is_eligible
    from lifecycle cross join period
),

final as (
    select
        hub_id,
        cast(year(first_poc_on) as integer) as cohort_year,
        count(*) as pocs_started,
        count(*) filter (where is_eligible) as eligible_pocs,
        count(*) filter (where is_eligible and days_poc_to_production <= {{ var('industrialization_window_days') }})
            as industrialized,
        {{ safe_ratio(
            "count(*) filter (where is_eligible and days_poc_to_production <= " ~ var('industrialization_window_days') ~ ")",
            "count(*) filter (where is_eligible)") }} as industrialization_rate,
        count(*) filter (where first_production_on is not null) as reached_production,
        count(*) filter (where current_stage = 'STOPPED') as stopped,
        median(days_poc_to_production) as median_days_poc_to_production,
        count(*) filter (where is_eligible) = count(*) as is_mature
    from flagged
    group by hub_id, year(first_poc_on)
)

select * from final
