-- Realised HR events (effective_date <= as_of_date) with the role's family, in the order of
-- docs/sources.md (event_type_rank: same-day events), each numbered within its employment
-- spell, with the hub the person was assigned to before it.
with

events as (select * from {{ ref('stg_hr__employment_events') }}),

employees as (select * from {{ ref('stg_hr__employees') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

realised as (
    select
        events.*,
        {{ role_family('events.role') }} as role_family,
        {{ event_type_rank('events.event_type') }} as event_type_rank,
        employees.worker_type
    from events
    cross join period
    left join employees using (employee_id)
    where events.effective_date <= period.as_of_date
),

final as (
    select
        *,
        sum(case when {{ opens_spell('event_type') }} then 1 else 0 end) over w as spell_no,
        lag(hub_id) over w as previous_hub_id,
        lead(effective_date) over w as next_effective_date
    from realised
    window w as (partition by employee_id order by effective_date, event_type_rank, event_id)
)

select * from final
