select
    solution_id,
    stage,
    entered_on
from {{ source('raw', 'solution_stage_events') }}
