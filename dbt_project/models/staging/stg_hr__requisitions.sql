select
    requisition_id,
    hub_id,
    role,
    opened_on,
    status,
    closed_on,
    hired_employee_id
from {{ source('raw', 'requisitions') }}
