-- Cost lines of the reported months (posting month <= as_of_month) in EUR: amount x the rate
-- of the line's posting month (1 for EUR). A line whose rate is missing gets a NULL amount_eur,
-- and the not_null test on it fails the build: it never drops out of a join silently.
-- hub_month is the hub month the line counts in: its posting month, or the hub's first (last)
-- month for a line posted before (after) the hub's months, so that no line is lost.
with

lines as (
    select
        *,
        cast(date_trunc('month', posting_date) as date) as month
    from {{ ref('stg_costs__cost_lines') }}
),

rates as (select * from {{ ref('stg_costs__fx_rates') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

hub_months as (select * from {{ ref('int_hr__hub_months') }}),

hub_span as (
    select
        hub_id,
        min(month) as first_month,
        max(month) as last_month
    from hub_months
    group by hub_id
),

final as (
    select
        lines.line_id,
        lines.posting_date,
        lines.month,
        least(greatest(lines.month, hub_span.first_month), hub_span.last_month) as hub_month,
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
        on
            rates.currency = lines.currency
            and rates.month = lines.month
    left join hub_span on hub_span.hub_id = lines.hub_id
    where lines.month <= period.as_of_month
)

select * from final
