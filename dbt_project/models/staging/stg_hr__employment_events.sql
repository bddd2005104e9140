select
    event_id,
    employee_id,
    event_type,
    effective_date,
    hub_id,
    role,
    {{ role_family('role') }} as role_family,
    fte,
    exit_type,
    is_regretted,
    requisition_id,
    {{ event_type_rank('event_type') }} as event_type_rank
from {{ source('raw', 'employment_events') }}
