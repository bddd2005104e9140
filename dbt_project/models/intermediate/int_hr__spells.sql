-- Employment spells: a HIRE or REHIRE opens one, an EXIT (last day employed) closes it. Why
-- a spell ended is not carried here: exit reasons are used only by int_hr__exit_reason_cells.
with

events as (select * from {{ ref('int_hr__events') }}),

final as (
    select
        employee_id,
        spell_no,
        -- max, not any_value: one worker type per employee; on Spark any_value/first() does not skip NULLs
        max(worker_type) as worker_type,
        min(case when {{ opens_spell('event_type') }} then effective_date end) as spell_start,
        max(case when event_type = 'EXIT' then effective_date end) as spell_end
    from events
    where spell_no > 0
    group by employee_id, spell_no
)

select * from final
