select
    employee_id,
    week_start,
    cast(date_trunc('month', week_start) as date) as month,
    activity_type,
    solution_id,
    hours
from {{ source('raw', 'timesheets') }}
