-- Solution x month: distinct users active in the calendar month (usage aggregated once, here).
with

usage as (select * from {{ ref('stg_projects__usage_events') }}),

period as (select * from {{ ref('int_calendar__reporting_period') }}),

final as (
    select
        usage.solution_id,
        cast(date_trunc('month', usage.activity_date) as date) as month,
        count(distinct usage.user_id) as monthly_active_users
    from usage cross join period
    where usage.activity_date <= period.as_of_date
    group by all
)

select * from final
