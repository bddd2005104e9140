-- Hub x month (the hub's months): the year's budget spread evenly over the hub's open months
-- of that year (docs/kpis.md, hub_costs), and its year-to-date sum.
-- A hub's open months of a year run from the later of January and its opening month to the
-- earlier of December and its closing month. A recorded closed_on counts even when it lies
-- after as_of_date (the budget was set for the months the hub is planned to be open), and the
-- months of the year after as_of_month count too: mid-year, ytd_budget_eur is the pro-rata
-- budget, and in the year's last open month it is the year's budget. No budget row for the
-- year: NULL budget figures.
with

hub_months as (select * from {{ ref('int_hr__hub_months') }}),

hubs as (select * from {{ ref('stg_hr__hubs') }}),

budgets as (select * from {{ ref('stg_costs__budgets') }}),

open_span as (
    select
        hub_months.hub_id,
        hub_months.month,
        year(hub_months.month) as year,
        greatest(cast(date_trunc('month', hubs.opened_on) as date), cast(date_trunc('year', hub_months.month) as date))
            as first_open_month,
        least(
            coalesce(cast(date_trunc('month', hubs.closed_on) as date), date '9999-12-01'),
            cast(date_trunc('year', hub_months.month) + interval 11 month as date)
        ) as last_open_month
    from hub_months
    inner join hubs on hubs.hub_id = hub_months.hub_id
),

counted as (
    select
        hub_id,
        month,
        year,
        -- dbt's cross-database datediff (the models are to run on other engines too); sqlfluff
        -- measures the macro's compiled output as one long line, hence the noqa
        {{ dbt.datediff('first_open_month', 'last_open_month', 'month') }} + 1 as open_months_in_year,  -- noqa: LT05
        {{ dbt.datediff('month', 'last_open_month', 'month') }} as open_months_to_come  -- noqa: LT05
    from open_span
),

final as (
    select
        counted.hub_id,
        counted.month,
        counted.year,
        budgets.budget_eur as year_budget_eur,
        counted.open_months_in_year,
        counted.open_months_to_come,
        cast(budgets.budget_eur as double) / counted.open_months_in_year as budget_eur,
        -- the year's budget less that of its open months still to come, so that the last
        -- open month holds the year's budget exactly (no sum of rounded twelfths); DOUBLE cast
        -- explicitly (DuckDB's DECIMAL / INTEGER is a DOUBLE, Spark's a DECIMAL)
        cast(budgets.budget_eur as double)
        - cast(budgets.budget_eur * counted.open_months_to_come as double) / counted.open_months_in_year
            as ytd_budget_eur
    from counted
    left join budgets on budgets.hub_id = counted.hub_id and budgets.year = counted.year
)

select * from final
