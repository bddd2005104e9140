-- Headcount flows of employees (contractors are in no flow): one row per hire, exit and
-- transfer leg. A transfer is any change of hub inside a spell, whatever the event type; it
-- is one TRANSFER_OUT of the old hub and one TRANSFER_IN to the new hub, never an exit.
-- A hire counts for the hub of its HIRE/REHIRE event; an exit for the hub of the assignment
-- on the last day employed.
with

events as (
    select * from {{ ref('int_hr__events') }}
    where worker_type = 'EMPLOYEE'
),

hires as (
    select
        employee_id,
        spell_no,
        effective_date as flow_date,
        hub_id,
        'HIRE' as flow,
        cast(null as {{ dbt.type_string() }}) as exit_type,
        cast(null as boolean) as is_regretted
    from events
    where {{ opens_spell('event_type') }}
),

exits as (
    select
        employee_id,
        spell_no,
        effective_date as flow_date,
        previous_hub_id as hub_id,
        'EXIT' as flow,
        exit_type,
        is_regretted
    from events
    where event_type = 'EXIT'
),

moves as (
    select * from events
    where
        not {{ opens_spell('event_type') }} and event_type <> 'EXIT'
        and previous_hub_id is not null
        and hub_id <> previous_hub_id
),

transfers_out as (
    select
        employee_id,
        spell_no,
        effective_date as flow_date,
        previous_hub_id as hub_id,
        'TRANSFER_OUT' as flow,
        cast(null as {{ dbt.type_string() }}) as exit_type,
        cast(null as boolean) as is_regretted
    from moves
),

transfers_in as (
    select
        employee_id,
        spell_no,
        effective_date as flow_date,
        hub_id,
        'TRANSFER_IN' as flow,
        cast(null as {{ dbt.type_string() }}) as exit_type,
        cast(null as boolean) as is_regretted
    from moves
),

final as (
    -- the four CTEs list the same columns in the same order (plain union all: Spark has no BY NAME)
    select * from hires
    union all
    select * from exits
    union all
    select * from transfers_out
    union all
    select * from transfers_in
)

select * from final
