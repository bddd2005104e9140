select
    period_month as month,
    currency,
    rate_to_eur
from {{ source('raw', 'fx_rates') }}
