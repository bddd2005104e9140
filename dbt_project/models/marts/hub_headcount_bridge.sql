-- Hub x month: opening headcount, the month's flows, closing headcount (docs/kpis.md).
-- closing = opening + hires + transfers_in - exits - transfers_out on every row; the flows of
-- a hub's first month include any dated before it, so the identity holds from row one.
-- Why people left is not here: exits split by reason are published only in exit_reasons.
with

snapshot as (select * from {{ ref('int_hr__hub_month_end_headcount') }}),

flows as (select * from {{ ref('int_hr__employee_flows') }}),

flows_by_month as (
    select
        snapshot.hub_id,
        snapshot.month,
        count(*) filter (where flows.flow = 'HIRE') as hires,
        count(*) filter (where flows.flow = 'TRANSFER_IN') as transfers_in,
        count(*) filter (where flows.flow = 'EXIT') as exits,
        count(*) filter (where flows.flow = 'TRANSFER_OUT') as transfers_out
    from snapshot
    inner join flows
        on
            flows.hub_id = snapshot.hub_id
            and flows.flow_date <= snapshot.month_end
            and (snapshot.is_first_month or flows.flow_date >= snapshot.month)
    group by snapshot.hub_id, snapshot.month
),

final as (
    select
        snapshot.hub_id,
        snapshot.month,
        coalesce(lag(snapshot.headcount) over (partition by snapshot.hub_id order by snapshot.month), 0)
            as opening_headcount,
        coalesce(f.hires, 0) as hires,
        coalesce(f.transfers_in, 0) as transfers_in,
        coalesce(f.exits, 0) as exits,
        coalesce(f.transfers_out, 0) as transfers_out,
        snapshot.headcount as closing_headcount
    from snapshot
    left join flows_by_month as f using (hub_id, month)
)

select * from final
