-- Solution x month, from the month of the solution's first stage event through as_of_month
-- (solutions created by as_of_date): its stage at month end and what the portfolio KPIs judge it
-- by (docs/kpis.md), derived once here for solution_adoption, portfolio_health and
-- company_scorecard, whatever the stage:
--   monthly_active_users  distinct users active in the calendar month (0 without usage);
--   adoption_rate, is_adopted  MAU / target_users, adopted from adoption_threshold; NULL where
--                 target_users is NULL or 0 (machine-to-machine: adoption does not apply);
--   is_monitored  monitoring_enabled_on <= month end;
--   is_maintained RUN hours, anyone's, in weeks starting in the maintained_lookback_days up to
--                 month end;
--   is_healthy    in PRODUCTION, monitored, maintained and, where target_users > 0, adopted (the
--                 seed's industrialised solution); NULL outside PRODUCTION, where it does not apply.
with

milestones as (select * from {{ ref('int_solutions__milestones') }}),

month_end_stage as (select * from {{ ref('int_solutions__month_end_stage') }}),

mau as (select * from {{ ref('int_usage__monthly_active_users') }}),

run_weeks as (
    select distinct
        solution_id,
        week_start
    from {{ ref('int_timesheets__attributed') }}
    where activity_type = 'RUN'
),

solution_months as (
    select
        month_end_stage.solution_id,
        milestones.hub_id,
        month_end_stage.month,
        month_end_stage.month_end,
        month_end_stage.stage,
        month_end_stage.stage_since,
        milestones.target_users,
        milestones.monitoring_enabled_on,
        coalesce(mau.monthly_active_users, 0) as monthly_active_users,
        case
            when milestones.target_users > 0
                then coalesce(mau.monthly_active_users, 0) / cast(milestones.target_users as double)
        end
            as adoption_rate
    from month_end_stage
    inner join milestones using (solution_id)
    left join mau using (solution_id, month)
),

maintained as (
    select distinct
        solution_months.solution_id,
        solution_months.month
    from solution_months
    inner join run_weeks
        on
            run_weeks.solution_id = solution_months.solution_id
            and run_weeks.week_start <= solution_months.month_end
            and run_weeks.week_start > solution_months.month_end - {{ var('maintained_lookback_days') }}
),

flagged as (
    select
        solution_months.solution_id,
        solution_months.hub_id,
        solution_months.month,
        solution_months.month_end,
        solution_months.stage,
        solution_months.stage_since,
        solution_months.target_users,
        solution_months.monthly_active_users,
        solution_months.adoption_rate,
        solution_months.adoption_rate >= {{ var('adoption_threshold') }} as is_adopted,
        coalesce(solution_months.monitoring_enabled_on <= solution_months.month_end, false) as is_monitored,
        maintained.solution_id is not null as is_maintained
    from solution_months
    left join maintained using (solution_id, month)
),

final as (
    select
        flagged.*,
        case
            when flagged.stage = 'PRODUCTION'
                then flagged.is_monitored and flagged.is_maintained and coalesce(flagged.is_adopted, true)
        end
            as is_healthy
    from flagged
)

select * from final
