select
    employee_id,
    worker_type
from {{ source('raw', 'employees') }}
