-- Solution x month: fully loaded cost (direct lines + its share of the hub pools, each pool
-- category by its allocation key), from the earliest of its first stage event, cost line or
-- hours through as_of_month (and never after a month it was allocated pool cost: a CLOUD pool
-- follows a direct line into the line's hub_month, which can be earlier than its posting month).
-- Money stays DECIMAL (exact, so the same bits whatever the order of a parallel sum) through
-- every sum, the cumulative one included; the published DOUBLE columns are cast last.
with

lines as (
    select * from {{ ref('int_costs__lines_eur') }}
    where solution_id is not null
),

allocation as (select * from {{ ref('int_costs__pool_allocation') }}),

hours as (select * from {{ ref('int_timesheets__hub_solution_hours') }}),

events as (select * from {{ ref('int_solutions__stage_events') }}),

solutions as (select * from {{ ref('stg_projects__solutions') }}),

month_end_stage as (select * from {{ ref('int_solutions__month_end_stage') }}),

mau as (select * from {{ ref('int_usage__monthly_active_users') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

starts as (
    select
        solution_id,
        min(month) as first_month
    from (
        select
            solution_id,
            cast(date_trunc('month', entered_on) as date) as month
        from events
        union all
        select
            solution_id,
            month
        from lines
        union all
        select
            solution_id,
            month
        from hours
        union all
        select
            solution_id,
            month
        from allocation
    ) as solution_months
    group by solution_id
),

spine as (
    select
        starts.solution_id,
        cast(month.generate_series as date) as month
    from starts
    cross join period
    cross join {{ series('starts.first_month', 'period.as_of_month', 'interval 1 month', 'month') }}
),

direct as (
    select
        solution_id,
        month,
        sum(amount_eur) as direct_cost_eur
    from lines
    group by all
),

allocated as (
    select
        solution_id,
        month,
        sum(allocated_cost_eur) as allocated_cost_eur
    from allocation
    group by all
),

solution_hours as (
    select
        solution_id,
        month,
        sum(build_hours) as build_hours,
        sum(run_hours) as run_hours
    from hours
    group by all
),

costs as (
    select
        spine.solution_id,
        solutions.hub_id,
        spine.month,
        coalesce(direct.direct_cost_eur, 0) as direct_cost_eur,
        coalesce(allocated.allocated_cost_eur, 0) as allocated_cost_eur,
        coalesce(solution_hours.build_hours, 0) as build_hours,
        coalesce(solution_hours.run_hours, 0) as run_hours,
        coalesce(mau.monthly_active_users, 0) as monthly_active_users,
        month_end_stage.stage
    from spine
    inner join solutions using (solution_id)
    left join direct using (solution_id, month)
    left join allocated using (solution_id, month)
    left join solution_hours using (solution_id, month)
    left join mau using (solution_id, month)
    left join month_end_stage using (solution_id, month)
),

final as (
    select
        solution_id,
        hub_id,
        month,
        cast(direct_cost_eur as double) as direct_cost_eur,
        cast(allocated_cost_eur as double) as allocated_cost_eur,
        cast(direct_cost_eur + allocated_cost_eur as double) as total_cost_eur,
        cast(sum(direct_cost_eur + allocated_cost_eur) over (
            partition by solution_id order by month rows unbounded preceding
        ) as double) as cumulative_cost_eur,
        cast(build_hours as double) as build_hours,
        cast(run_hours as double) as run_hours,
        monthly_active_users,
        {{ safe_ratio('direct_cost_eur + allocated_cost_eur', 'monthly_active_users') }} as cost_per_active_user_eur,
        stage
    from costs
)

select * from final
