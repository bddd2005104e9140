-- Hub x month: opening headcount, the month's flows, closing headcount (spec/kpis.md).
-- closing = opening + hires + transfers_in - exits - transfers_out on every row; the flows of
-- a hub's first month include any dated before it, so the identity holds from row one.
-- Why people left is not here: exits split by reason are published only in exit_reasons.
with

hub_months as (select * from {{ ref('int_hr__hub_months') }}),
flows as (select * from {{ ref('int_hr__employee_flows') }}),
daily as (select * from {{ ref('int_hr__hub_daily_headcount') }}),

flows_by_month as (
    select
        hub_months.hub_id,
        hub_months.month,
        count(*) filter (where flows.flow = 'HIRE') as hires,
        count(*) filter (where flows.flow = 'TRANSFER_IN') as transfers_in,
        count(*) filter (where flows.flow = 'EXIT') as exits,
        count(*) filter (where flows.flow = 'TRANSFER_OUT') as transfers_out
    from hub_months
    join flows
        on flows.hub_id = hub_months.hub_id
       and flows.flow_date <= hub_months.month_end
       and (hub_months.is_first_month or flows.flow_date >= hub_months.month)
    group by hub_months.hub_id, hub_months.month
),

closing as (
    select
        hub_months.hub_id,
        hub_months.month,
        coalesce(daily.headcount, 0) as closing_headcount
    from hub_months
    left join daily
        on daily.hub_id = hub_months.hub_id
       and daily.day = hub_months.month_end
),

final as (
    select
        closing.hub_id,
        closing.month,
        coalesce(lag(closing.closing_headcount) over (partition by closing.hub_id order by closing.month), 0)
            as opening_headcount,
        coalesce(f.hires, 0) as hires,
        coalesce(f.transfers_in, 0) as transfers_in,
        coalesce(f.exits, 0) as exits,
        coalesce(f.transfers_out, 0) as transfers_out,
        closing.closing_headcount
    from closing
    left join flows_by_month as f using (hub_id, month)
)

select * from final
