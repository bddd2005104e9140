-- Hub x month spine: from the hub's opening month through min(closing month, as_of_month).
-- A closing date after as_of_date is not realised yet and does not end the spine.
with

hubs as (select * from {{ ref('stg_hr__hubs') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

bounds as (
    select
        hubs.hub_id,
        hubs.hub_name,
        coalesce(hubs.critical_mass_target, {{ var('critical_mass_target') }}) as critical_mass_target,
        cast(date_trunc('month', hubs.opened_on) as date) as first_month,
        least(
            coalesce(case
                when hubs.closed_on <= period.as_of_date
                    then cast(date_trunc('month', hubs.closed_on) as date)
            end, period.as_of_month),
            period.as_of_month
        ) as last_month
    from hubs
    cross join period
),

final as (
    select
        bounds.hub_id,
        bounds.hub_name,
        bounds.critical_mass_target,
        cast(month.generate_series as date) as month,
        cast(last_day(month.generate_series) as date) as month_end,
        month.generate_series = bounds.first_month as is_first_month
    from bounds
    cross join {{ series('bounds.first_month', 'bounds.last_month', 'interval 1 month', 'month') }}
)

select * from final
