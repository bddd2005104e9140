-- Hub x month: size and disciplinary mix of each hub at month end (docs/kpis.md).
with

month_end as (select * from {{ ref('int_hr__hub_month_end_headcount') }}),

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
        1 - (
            share_data_science * share_data_science + share_it * share_it
            + share_business * share_business
        ) as blau_index,
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
