-- Cost lines of the reported months (posting month <= as_of_month) in EUR: amount x the rate
-- of the line's posting month (1 for EUR). A line whose rate is missing gets a NULL amount_eur,
-- and the not_null test on it fails the build: it never drops out of a join silently.
with

lines as (select * from {{ ref('stg_costs__cost_lines') }}),
rates as (select * from {{ ref('stg_costs__fx_rates') }}),
period as (select * from {{ ref('int_reporting_period') }}),

final as (
    select
        lines.line_id,
        lines.posting_date,
        lines.month,
        lines.hub_id,
        lines.solution_id,
        lines.cost_category,
        lines.charge_type,
        lines.amount,
        lines.currency,
        case when lines.currency = 'EUR' then 1 else rates.rate_to_eur end as rate_to_eur,
        -- exact decimal arithmetic, widened so that the product cannot overflow
        cast(lines.amount as decimal(38, 4))
            * cast(case when lines.currency = 'EUR' then 1 else rates.rate_to_eur end as decimal(38, 8)) as amount_eur
    from lines
    cross join period
    left join rates
        on rates.currency = lines.currency
       and rates.month = lines.month
    where lines.month <= period.as_of_month
)

select * from final
