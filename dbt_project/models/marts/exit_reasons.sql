-- Scope (a hub or COMPANY) x completed calendar quarter or year: why people left. The only
-- published table that splits exits by reason (docs/kpis.md, Privacy): exits and the average
-- headcount are always shown; the reason counts and rates only where the suppression of
-- int_hr__exit_reason_suppression lets no group of fewer than min_group_size leavers be told
-- apart (docs/privacy.md). Rates are for the period, not annualised.
with

candidates as (select * from {{ ref('int_hr__exit_reason_rows') }}),

suppression as (select * from {{ ref('int_hr__exit_reason_suppression') }}),

final as (
    select
        candidates.scope,
        candidates.period_type,
        candidates.period_start,
        candidates.period_end,
        cast(candidates.exits as integer) as exits,
        candidates.avg_headcount,
        case when not suppression.is_suppressed then cast(candidates.voluntary_exits as integer) end as voluntary_exits,
        case when not suppression.is_suppressed then cast(candidates.involuntary_exits as integer) end
            as involuntary_exits,
        case when not suppression.is_suppressed then cast(candidates.other_exits as integer) end as other_exits,
        case when not suppression.is_suppressed then cast(candidates.regretted_exits as integer) end as regretted_exits,
        case
            when not suppression.is_suppressed
                then {{ safe_ratio('candidates.voluntary_exits', 'candidates.avg_headcount') }}
        end
            as voluntary_attrition_rate,
        case
            when not suppression.is_suppressed
                then {{ safe_ratio('candidates.regretted_exits', 'candidates.avg_headcount') }}
        end
            as regretted_attrition_rate,
        cast(suppression.is_suppressed as boolean) as is_suppressed,
        cast(suppression.suppression as {{ dbt.type_string() }}) as suppression
    from candidates
    inner join suppression
        on
            suppression.scope = candidates.scope
            and suppression.period_type = candidates.period_type
            and cast(suppression.period_start as date) = candidates.period_start
)

select * from final
