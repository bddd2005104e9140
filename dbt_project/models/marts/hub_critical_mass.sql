-- Hub x month: size and disciplinary mix of each hub at month end (spec/kpis.md).
with

hub_months as (select * from {{ ref('int_hr__hub_months') }}),
daily as (select * from {{ ref('int_hr__hub_daily_headcount') }}),

month_end as (
    select
        hub_months.hub_id,
        hub_months.hub_name,
        hub_months.month,
        hub_months.critical_mass_target,
        coalesce(daily.headcount, 0) as headcount,
        coalesce(daily.fte, 0) as fte,
        coalesce(daily.contractor_headcount, 0) as contractor_headcount,
        coalesce(daily.headcount_data_science, 0) as headcount_data_science,
        coalesce(daily.headcount_it, 0) as headcount_it,
        coalesce(daily.headcount_business, 0) as headcount_business
    from hub_months
    left join daily
        on daily.hub_id = hub_months.hub_id
       and daily.day = hub_months.month_end
),

shares as (
    select
        *,
        {{ safe_ratio('headcount_data_science', 'headcount') }} as share_data_science,
        {{ safe_ratio('headcount_it', 'headcount') }} as share_it,
        {{ safe_ratio('headcount_business', 'headcount') }} as share_business
    from month_end
),

final as (
    select
        hub_id,
        hub_name,
        month,
        headcount,
        fte,
        contractor_headcount,
        headcount_data_science,
        headcount_it,
        headcount_business,
        share_data_science,
        share_it,
        share_business,
        1 - (share_data_science * share_data_science + share_it * share_it
             + share_business * share_business) as blau_index,
        critical_mass_target,
        case
            when headcount >= critical_mass_target then 'MET'
            when headcount >= {{ var('critical_mass_at_risk_ratio') }} * critical_mass_target then 'AT_RISK'
            else 'BELOW'
        end as critical_mass_status,
        coalesce(
            share_data_science >= {{ var('min_family_share') }}
            and share_it >= {{ var('min_family_share') }}
            and share_business >= {{ var('min_family_share') }},
            false
        ) as is_multidisciplinary
    from shares
)

select * from final
