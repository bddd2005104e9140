-- Hub x month (the hub's months): the month-end headcount snapshot, read by hub_critical_mass,
-- hub_headcount_bridge (closing_headcount) and talent_staffing (headcount), so that the three
-- agree by construction. Employees assigned to the hub at the close of the month's last day,
-- their fte and role families; contractors apart. 0 (never NULL) for a hub without anybody.
with

hub_months as (select * from {{ ref('int_hr__hub_months') }}),

daily as (select * from {{ ref('int_hr__hub_daily_headcount') }}),

final as (
    select
        hub_months.hub_id,
        hub_months.hub_name,
        hub_months.month,
        hub_months.month_end,
        hub_months.is_first_month,
        hub_months.critical_mass_target,
        coalesce(daily.headcount, 0) as headcount,
        coalesce(daily.fte, 0) as fte,
        coalesce(daily.contractor_headcount, 0) as contractor_headcount,
        coalesce(daily.headcount_data_science, 0) as headcount_data_science,
        coalesce(daily.headcount_it, 0) as headcount_it,
        coalesce(daily.headcount_business, 0) as headcount_business
    from hub_months
    left join daily
        on
            daily.hub_id = hub_months.hub_id
            and daily.day = hub_months.month_end
)

select * from final
