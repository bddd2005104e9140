-- Hub x month (the hub's months): the hub's solutions by stage at month end, POCs and pilots
-- stuck in their stage, and the shares of production solutions that are monitored, maintained,
-- adopted, and all of these at once (healthy), counted in int_solutions__hub_monthly_portfolio.
with

hub_months as (select * from {{ ref('int_hr__hub_months') }}),

per_hub as (select * from {{ ref('int_solutions__hub_monthly_portfolio') }}),

final as (
    select
        hub_months.hub_id,
        hub_months.month,
        coalesce(p.solutions_ideation, 0) as solutions_ideation,
        coalesce(p.solutions_poc, 0) as solutions_poc,
        coalesce(p.solutions_pilot, 0) as solutions_pilot,
        coalesce(p.solutions_production, 0) as solutions_production,
        coalesce(p.solutions_retired, 0) as solutions_retired,
        coalesce(p.solutions_stopped, 0) as solutions_stopped,
        coalesce(p.stuck_pocs, 0) as stuck_pocs,
        coalesce(p.stuck_pilots, 0) as stuck_pilots,
        {{ safe_ratio('p.monitored', 'p.solutions_production') }} as monitored_share,
        {{ safe_ratio('p.maintained', 'p.solutions_production') }} as maintained_share,
        {{ safe_ratio('p.adopted', 'p.production_with_users') }} as adopted_share,
        {{ safe_ratio('p.healthy', 'p.solutions_production') }} as healthy_production_share
    from hub_months
    left join per_hub as p
        on
            p.hub_id = hub_months.hub_id
            and p.month = hub_months.month
)

select * from final
