-- Hub x month (the hub's months): the hub's ledger (pool + direct lines), how much of its pool
-- was allocated to solutions, and year-to-date spend against the year's budget phased over the
-- hub's open months (int_costs__monthly_budgets).
-- Each line counts in its hub_month (lines posted outside the hub's months are not lost).
-- Money stays DECIMAL (exact, so the same bits whatever the order of a parallel sum) through
-- every sum and difference; the published DOUBLE columns are cast last.
with

hub_months as (select * from {{ ref('int_hr__hub_months') }}),

lines as (select * from {{ ref('int_costs__lines_eur') }}),

allocation as (select * from {{ ref('int_costs__pool_allocation') }}),

budgets as (select * from {{ ref('int_costs__monthly_budgets') }}),

ledger as (
    select
        hub_id,
        hub_month as month,
        sum(amount_eur) filter (where solution_id is null) as pool_cost_eur,
        sum(amount_eur) filter (where solution_id is not null) as direct_cost_eur
    from lines
    group by all
),

allocated as (
    select
        hub_id,
        month,
        sum(allocated_cost_eur) as allocated_cost_eur
    from allocation
    group by all
),

monthly as (
    select
        hub_months.hub_id,
        hub_months.month,
        coalesce(ledger.pool_cost_eur, 0) as pool_cost_eur,
        coalesce(allocated.allocated_cost_eur, 0) as allocated_cost_eur,
        coalesce(ledger.direct_cost_eur, 0) as direct_cost_eur,
        budgets.budget_eur,
        budgets.ytd_budget_eur
    from hub_months
    left join ledger on ledger.hub_id = hub_months.hub_id and ledger.month = hub_months.month
    left join allocated on allocated.hub_id = hub_months.hub_id and allocated.month = hub_months.month
    left join budgets on budgets.hub_id = hub_months.hub_id and budgets.month = hub_months.month
),

final as (
    select
        hub_id,
        month,
        cast(pool_cost_eur as double) as pool_cost_eur,
        cast(allocated_cost_eur as double) as allocated_cost_eur,
        cast(pool_cost_eur - allocated_cost_eur as double) as unallocated_cost_eur,
        cast(direct_cost_eur as double) as direct_cost_eur,
        cast(pool_cost_eur + direct_cost_eur as double) as total_cost_eur,
        budget_eur,
        cast(sum(pool_cost_eur + direct_cost_eur) over ytd as double) as ytd_cost_eur,
        ytd_budget_eur,
        cast(sum(pool_cost_eur + direct_cost_eur) over ytd as double) - ytd_budget_eur as ytd_budget_variance_eur,
        {{ safe_ratio(
            'cast(sum(pool_cost_eur + direct_cost_eur) over ytd as double) - ytd_budget_eur',
            'ytd_budget_eur'
        ) }} as ytd_budget_variance_pct,
        {{ safe_ratio('pool_cost_eur - allocated_cost_eur', 'pool_cost_eur + direct_cost_eur') }} as unallocated_share
    from monthly
    window ytd as (partition by hub_id, year(month) order by month rows unbounded preceding)
)

select * from final
