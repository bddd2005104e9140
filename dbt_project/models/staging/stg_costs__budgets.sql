select
    hub_id,
    year,
    budget_eur
from {{ source('raw', 'budgets') }}
