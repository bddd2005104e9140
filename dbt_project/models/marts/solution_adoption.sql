-- Solution x month, from the month of the first PILOT or PRODUCTION through as_of_month, ending
-- with the month the solution entered RETIRED or STOPPED after going live (docs/kpis.md).
-- Monthly active users and adoption come from int_solutions__monthly_health, where the
-- portfolio KPIs read them too.
with

milestones as (
    select * from {{ ref('int_solutions__milestones') }}
    where first_live_on is not null
),

solution_months as (select * from {{ ref('int_solutions__monthly_health') }}),

events as (select * from {{ ref('int_solutions__stage_events') }}),

ends as (
    select
        milestones.solution_id,
        min(events.entered_on) as ended_on
    from milestones
    inner join events
        on
            events.solution_id = milestones.solution_id
            and events.stage in ('RETIRED', 'STOPPED')
            and events.entered_on >= milestones.first_live_on
    group by milestones.solution_id
),

final as (
    select
        solution_months.solution_id,
        solution_months.hub_id,
        solution_months.month,
        solution_months.stage,
        solution_months.monthly_active_users,
        solution_months.target_users,
        solution_months.adoption_rate,
        solution_months.is_adopted,
        cast(count(*) filter (where solution_months.stage = 'PRODUCTION')
            over (
                partition by solution_months.solution_id order by solution_months.month rows unbounded preceding
            )
        as integer) as months_in_production
    from milestones
    inner join solution_months using (solution_id)
    left join ends using (solution_id)
    where
        solution_months.month >= date_trunc('month', milestones.first_live_on)
        and (ends.ended_on is null or solution_months.month <= date_trunc('month', ends.ended_on))
)

select * from final
