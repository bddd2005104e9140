select
    line_id,
    posting_date,
    cast(date_trunc('month', posting_date) as date) as month,
    hub_id,
    solution_id,
    cost_category,
    charge_type,
    amount,
    currency
from {{ source('raw', 'cost_lines') }}
