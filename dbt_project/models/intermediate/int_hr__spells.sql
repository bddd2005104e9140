-- Employment spells: a HIRE or REHIRE opens one, an EXIT (last day employed) closes it.
with

events as (select * from {{ ref('int_hr__events') }}),

final as (
    select
        employee_id,
        spell_no,
        any_value(worker_type) as worker_type,
        min(case when event_type in ('HIRE', 'REHIRE') then effective_date end) as spell_start,
        any_value(case when event_type in ('HIRE', 'REHIRE') then hub_id end) as hire_hub_id,
        max(case when event_type = 'EXIT' then effective_date end) as spell_end,
        any_value(case when event_type = 'EXIT' then previous_hub_id end) as exit_hub_id,
        any_value(case when event_type = 'EXIT' then exit_type end) as exit_type,
        any_value(case when event_type = 'EXIT' then is_regretted end) as is_regretted
    from events
    where spell_no > 0
    group by employee_id, spell_no
)

select * from final
