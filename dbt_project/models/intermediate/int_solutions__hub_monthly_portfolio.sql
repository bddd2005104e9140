-- Hub x month (every month a hub's solutions have, from int_solutions__monthly_health): the
-- hub's solutions by stage at month end, POCs and pilots stuck in their stage, and the
-- numerators and denominators of the portfolio shares of docs/kpis.md, counted once here for
-- portfolio_health (per hub) and company_scorecard (summed over hubs):
--   monitored, maintained, healthy     production solutions with the flag (over solutions_production);
--   adopted, production_with_users     adopted production solutions over those with target_users > 0;
--   active_users, target_users         summed over production solutions with target_users > 0.
with

solution_months as (select * from {{ ref('int_solutions__monthly_health') }}),

final as (
    select
        hub_id,
        month,
        {% for stage in solution_stages() -%}
            count(*) filter (where stage = '{{ stage }}') as solutions_{{ stage | lower }},
        {% endfor -%}
        count(*) filter (
            where stage = 'POC' and {{ days_between('stage_since', 'month_end') }} > {{ var('stuck_poc_days') }}
        ) as stuck_pocs,
        count(*) filter (
            where stage = 'PILOT' and {{ days_between('stage_since', 'month_end') }} > {{ var('stuck_pilot_days') }}
        ) as stuck_pilots,
        count(*) filter (where stage = 'PRODUCTION' and is_monitored) as monitored,
        count(*) filter (where stage = 'PRODUCTION' and is_maintained) as maintained,
        count(*) filter (where stage = 'PRODUCTION' and target_users > 0) as production_with_users,
        count(*) filter (where stage = 'PRODUCTION' and is_adopted) as adopted,
        count(*) filter (where is_healthy) as healthy,
        sum(monthly_active_users) filter (where stage = 'PRODUCTION' and target_users > 0) as active_users,
        sum(target_users) filter (where stage = 'PRODUCTION' and target_users > 0) as target_users
    from solution_months
    group by hub_id, month
)

select * from final
