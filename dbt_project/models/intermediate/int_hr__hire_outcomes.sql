-- One row per hire (HIRE or REHIRE) of an employee, attributed to the hub of its event, with
-- whether the spell it opened ended within its first year (EXIT date - hire date < 365 days),
-- whatever hub the person was in by then. Feeds first-year (new-hire) attrition.
with

hires as (
    select * from {{ ref('int_hr__employee_flows') }}
    where flow = 'HIRE'
),

spells as (select * from {{ ref('int_hr__spells') }}),

final as (
    select
        hires.hub_id,
        hires.employee_id,
        hires.spell_no,
        hires.flow_date as hire_date,
        spells.spell_end,
        coalesce({{ days_between('hires.flow_date', 'spells.spell_end') }} < 365, false) as left_within_first_year
    from hires
    inner join spells using (employee_id, spell_no)
)

select * from final
