-- Hub x month (the hub's months): the hub's solutions by stage at month end, stuck POCs, and
-- the shares of production solutions that are monitored, maintained and adopted.
with

hub_months as (select * from {{ ref('int_hub_months') }}),
milestones as (select * from {{ ref('int_solutions__milestones') }}),
month_end_stage as (select * from {{ ref('int_solutions__month_end_stage') }}),
adoption as (select * from {{ ref('solution_adoption') }}),
timesheets as (select * from {{ ref('int_timesheets__attributed') }} where activity_type = 'RUN'),

solution_months as (
    select
        milestones.hub_id,
        month_end_stage.solution_id,
        month_end_stage.month,
        month_end_stage.month_end,
        month_end_stage.stage,
        month_end_stage.stage_since,
        milestones.monitoring_enabled_on,
        milestones.target_users
    from month_end_stage
    join milestones using (solution_id)
),

maintained as (
    -- production solutions with RUN hours in weeks starting in the lookback up to month end
    select distinct solution_months.solution_id, solution_months.month
    from solution_months
    join timesheets
        on timesheets.solution_id = solution_months.solution_id
       and timesheets.week_start <= solution_months.month_end
       and timesheets.week_start > solution_months.month_end - {{ var('maintained_lookback_days') }}
    where solution_months.stage = 'PRODUCTION'
),

per_hub as (
    select
        s.hub_id,
        s.month,
        count(*) filter (where s.stage = 'IDEATION') as solutions_ideation,
        count(*) filter (where s.stage = 'POC') as solutions_poc,
        count(*) filter (where s.stage = 'PILOT') as solutions_pilot,
        count(*) filter (where s.stage = 'PRODUCTION') as solutions_production,
        count(*) filter (where s.stage = 'RETIRED') as solutions_retired,
        count(*) filter (where s.stage = 'STOPPED') as solutions_stopped,
        count(*) filter (where s.stage = 'POC' and s.month_end - s.stage_since > {{ var('stuck_poc_days') }}) as stuck_pocs,
        count(*) filter (where s.stage = 'PRODUCTION' and s.monitoring_enabled_on <= s.month_end) as monitored,
        count(*) filter (where s.stage = 'PRODUCTION' and m.solution_id is not null) as maintained_count,
        count(*) filter (where s.stage = 'PRODUCTION' and s.target_users > 0) as production_with_users,
        count(*) filter (where s.stage = 'PRODUCTION' and a.is_adopted) as adopted
    from solution_months as s
    left join maintained as m using (solution_id, month)
    left join adoption as a using (solution_id, month)
    group by s.hub_id, s.month
),

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
        {{ safe_ratio('p.monitored', 'p.solutions_production') }} as monitored_share,
        {{ safe_ratio('p.maintained_count', 'p.solutions_production') }} as maintained_share,
        {{ safe_ratio('p.adopted', 'p.production_with_users') }} as adopted_share
    from hub_months
    left join per_hub as p
        on p.hub_id = hub_months.hub_id
       and p.month = hub_months.month
)

select * from final
