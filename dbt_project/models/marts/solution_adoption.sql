-- Solution x month, from the month of the first PILOT or PRODUCTION through as_of_month, ending
-- with the month the solution entered RETIRED or STOPPED after going live (spec/kpis.md).
with

milestones as (select * from {{ ref('int_solutions__milestones') }} where first_live_on is not null),
month_end_stage as (select * from {{ ref('int_solutions__month_end_stage') }}),
events as (select * from {{ ref('int_solutions__stage_events') }}),
mau as (select * from {{ ref('int_usage__monthly_active_users') }}),

ends as (
    select milestones.solution_id, min(events.entered_on) as ended_on
    from milestones
    join events
        on events.solution_id = milestones.solution_id
       and events.stage in ('RETIRED', 'STOPPED')
       and events.entered_on >= milestones.first_live_on
    group by milestones.solution_id
),

months as (
    select
        milestones.solution_id,
        milestones.hub_id,
        milestones.target_users,
        month_end_stage.month,
        month_end_stage.stage
    from milestones
    join month_end_stage using (solution_id)
    left join ends using (solution_id)
    where month_end_stage.month >= date_trunc('month', milestones.first_live_on)
      and (ends.ended_on is null or month_end_stage.month <= date_trunc('month', ends.ended_on))
),

final as (
    select
        months.solution_id,
        months.hub_id,
        months.month,
        months.stage,
        coalesce(mau.monthly_active_users, 0) as monthly_active_users,
        months.target_users,
        case when months.target_users > 0
             then coalesce(mau.monthly_active_users, 0) / cast(months.target_users as double) end as adoption_rate,
        case when months.target_users > 0
             then coalesce(mau.monthly_active_users, 0) / cast(months.target_users as double)
                  >= {{ var('adoption_threshold') }} end as is_adopted,
        cast(count(*) filter (where months.stage = 'PRODUCTION') over (
            partition by months.solution_id order by months.month rows unbounded preceding) as integer)
            as months_in_production
    from months
    left join mau using (solution_id, month)
)

select * from final
