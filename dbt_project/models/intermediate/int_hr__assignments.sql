-- Assignment intervals: hub, role and fte of each non-EXIT event, valid at the close of every
-- day d with valid_from <= d < valid_to (valid_to = the next event's date; NULL = still valid).
-- An EXIT's date is the last day employed, so the person is not counted at its close; a
-- same-day hire and exit gives an empty interval, dropped here (never in headcount).
with

events as (select * from {{ ref('int_hr__events') }}),

final as (
    select
        employee_id,
        worker_type,
        spell_no,
        event_id,
        event_type,
        hub_id,
        role,
        role_family,
        fte,
        effective_date as valid_from,
        next_effective_date as valid_to
    from events
    where
        event_type <> 'EXIT'
        and (next_effective_date is null or next_effective_date > effective_date)
)

select * from final
