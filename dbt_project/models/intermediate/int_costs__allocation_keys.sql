-- The allocation key of each cost category (docs/kpis.md, cost_per_solution), declared here
-- and nowhere else. How int_costs__pool_allocation spreads a hub's pool of the category:
--   PEOPLE_TIME  pool x hours(h, s, m) / hours(h, m): BUILD+RUN hours on the solution over all
--                non-LEAVE hours of the hub's people (INTERNAL and TRAINING stay unallocated);
--   CONSUMPTION  pool x direct(h, s, m) / direct(h, m): the hub's lines of the same category
--                that carry a solution_id in the month (FinOps proportional split); a hub-month
--                whose such lines are missing or sum to zero or less falls back to PEOPLE_TIME.
with

final as (
    select
        keys.cost_category,
        keys.allocation_key
    from (
        values
        ('STAFF', 'PEOPLE_TIME'),
        ('CONTRACTOR', 'PEOPLE_TIME'),
        ('LICENSE', 'PEOPLE_TIME'),
        ('OTHER', 'PEOPLE_TIME'),
        ('CLOUD', 'CONSUMPTION')
    ) as keys (cost_category, allocation_key)
)

select * from final
