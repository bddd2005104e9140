-- Hub x completed calendar quarter: the exits dated in the quarter, attributed to the hub (the
-- assignment of the last day employed), split by reason. Every exit_reasons row is a sum of
-- these cells; they are private inputs of the suppression, never published as such.
with

exits as (
    select * from {{ ref('int_hr__employee_flows') }}
    where flow = 'EXIT'
),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

quartered as (
    select
        exits.*,
        cast(date_trunc('quarter', exits.flow_date) as date) as quarter_start
    from exits
),

final as (
    select
        quartered.hub_id,
        quartered.quarter_start,
        count(*) as exits,
        count(*) filter (where quartered.exit_type = 'VOLUNTARY') as voluntary_exits,
        count(*) filter (where quartered.exit_type = 'INVOLUNTARY') as involuntary_exits,
        count(*) filter (where quartered.exit_type = 'OTHER') as other_exits,
        count(*) filter (where quartered.is_regretted) as regretted_exits
    from quartered
    cross join period
    where cast(quartered.quarter_start + interval 3 month as date) - 1 <= period.as_of_date
    group by quartered.hub_id, quartered.quarter_start
)

select * from final
