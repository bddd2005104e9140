-- Month (first reporting month through as_of_month): the company's headline KPIs across hubs.
-- Retention and attrition treat the company as one population: a move between hubs is neither
-- an exit nor a loss. No figure splits exits by reason (that is exit_reasons), none is hidden.
with

period as (select * from {{ ref('int_calendar__reporting_period') }}),

critical_mass as (select * from {{ ref('hub_critical_mass') }}),

daily as (select * from {{ ref('int_hr__hub_daily_headcount') }}),

assignments as (
    select * from {{ ref('int_hr__assignments') }}
    where worker_type = 'EMPLOYEE'
),

spells as (select * from {{ ref('int_hr__spells') }}),

exits as (
    select * from {{ ref('int_hr__employee_flows') }}
    where flow = 'EXIT'
),

hire_outcomes as (select * from {{ ref('int_hr__hire_outcomes') }}),

pocs as (select * from {{ ref('int_solutions__poc_outcomes') }}),

hub_portfolio as (select * from {{ ref('int_solutions__hub_monthly_portfolio') }}),

hub_months as (select * from {{ ref('int_hr__hub_months') }}),

cost_lines as (select * from {{ ref('int_costs__lines_eur') }}),

months as (
    select
        cast(month.generate_series as date) as month,
        cast(last_day(month.generate_series) as date) as month_end,
        cast(month.generate_series - interval 11 month as date) as window_start
    from period
    cross join {{ series('period.first_month', 'period.as_of_month', 'interval 1 month', 'month') }}
),

hubs as (
    select
        month,
        count(*) as hubs_open,
        cast(sum(headcount) as integer) as headcount,
        count(*) filter (where critical_mass_status = 'MET') as hubs_at_critical_mass
    from critical_mass
    group by month
),

company_daily as (
    select
        day,
        sum(cumulative_headcount) as cumulative_headcount
    from daily
    group by day
),

cohort as (
    select
        months.month,
        count(*) as opening_headcount,
        count(*) filter (where spells.spell_end is null or spells.spell_end > months.month_end) as retained
    from months
    inner join assignments
        on
            assignments.valid_from <= months.window_start - 1
            and (assignments.valid_to is null or assignments.valid_to > months.window_start - 1)
    inner join spells using (employee_id, spell_no)
    group by months.month
),

people as (
    select
        months.month,
        coalesce(cohort.opening_headcount, 0) as opening_headcount,
        cohort.retained,
        (
            select count(*) from exits
            where exits.flow_date between months.window_start and months.month_end
        ) as exits_12m,
        (coalesce(at_end.cumulative_headcount, 0) - coalesce(before.cumulative_headcount, 0))
        / cast({{ days_between('months.window_start', 'months.month_end') }} + 1 as double) as avg_headcount_12m
    from months
    left join cohort using (month)
    left join company_daily as at_end on at_end.day = months.month_end
    left join company_daily as before on before.day = months.window_start - 1
),

first_year as (
    -- hires of every hub in months -23 .. -12, as in hub_retention
    select
        months.month,
        count(*) as first_year_cohort,
        count(*) filter (where hire_outcomes.left_within_first_year) as first_year_exits
    from months
    inner join hire_outcomes
        on hire_outcomes.hire_date between cast(months.month - interval 23 month as date) and months.window_start - 1
    group by months.month
),

portfolio as (
    -- all hubs' solutions: the counts of portfolio_health, summed over hubs
    select
        month,
        cast(sum(solutions_production) as bigint) as solutions_in_production,
        cast(sum(monitored) as bigint) as monitored,
        cast(sum(production_with_users) as bigint) as production_with_users,
        cast(sum(adopted) as bigint) as adopted,
        cast(sum(healthy) as bigint) as healthy,
        sum(active_users) as active_users,
        sum(target_users) as target_users
    from hub_portfolio
    group by month
),

industrialization as (
    -- all POCs, eligible once observed for the window by month end, as in industrialization
    select
        months.month,
        count(*) filter (where pocs.eligible_on <= months.month_end) as eligible,
        count(*) filter (where pocs.eligible_on <= months.month_end and pocs.is_industrialized_in_window)
            as industrialized
    from months
    cross join pocs
    group by months.month
),

costs as (
    -- the lines of hub_costs (each in its hub_month), summed exactly in DECIMAL: a sum of the
    -- hubs' DOUBLE totals would depend on the order in which DuckDB's threads combine it
    select
        cost_lines.hub_month as month,
        sum(cost_lines.amount_eur) as total_cost_eur
    from cost_lines
    inner join hub_months on hub_months.hub_id = cost_lines.hub_id and hub_months.month = cost_lines.hub_month
    group by cost_lines.hub_month
),

final as (
    select
        months.month,
        coalesce(hubs.hubs_open, 0) as hubs_open,
        coalesce(hubs.headcount, 0) as headcount,
        coalesce(hubs.hubs_at_critical_mass, 0) as hubs_at_critical_mass,
        {{ safe_ratio('people.retained', 'people.opening_headcount') }} as retention_rate_12m,
        {{ safe_ratio('people.exits_12m', 'people.avg_headcount_12m') }} as attrition_rate_12m,
        {{ safe_ratio('first_year.first_year_exits', 'first_year.first_year_cohort') }} as first_year_attrition_rate,
        coalesce(portfolio.solutions_in_production, 0) as solutions_in_production,
        coalesce(industrialization.eligible, 0) as eligible_pocs,
        coalesce(industrialization.industrialized, 0) as industrialized_pocs,
        {{ safe_ratio('industrialization.industrialized', 'industrialization.eligible') }} as industrialization_rate,
        {{ safe_ratio('portfolio.active_users', 'portfolio.target_users') }} as adoption_rate,
        {{ safe_ratio('portfolio.adopted', 'portfolio.production_with_users') }} as adopted_share,
        {{ safe_ratio('portfolio.healthy', 'portfolio.solutions_in_production') }} as healthy_production_share,
        cast(coalesce(costs.total_cost_eur, 0) as double) as total_cost_eur,
        {{ safe_ratio('coalesce(costs.total_cost_eur, 0)', 'portfolio.solutions_in_production') }}
            as cost_per_production_solution_eur,
        {{ safe_ratio('portfolio.monitored', 'portfolio.solutions_in_production') }} as monitored_share
    from months
    inner join people using (month)
    left join first_year using (month)
    left join hubs using (month)
    left join portfolio using (month)
    left join industrialization using (month)
    left join costs using (month)
)

select * from final
