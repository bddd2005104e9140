select
    solution_id,
    activity_date,
    user_id,
    n_actions
from {{ source('raw', 'usage_events') }}
