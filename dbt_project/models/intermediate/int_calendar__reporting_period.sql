-- One row: the as_of_date of the run and the reporting months (docs/kpis.md, conventions).
-- as_of_date is the dbt var when given (config.py refuses one after today), else the latest
-- date not after today in the transactional sources: a future-dated line (a scheduled cost, a
-- timesheet week still running) never moves it. as_of_month is the last month whose last day
-- is <= as_of_date.
with

latest as (
    select greatest(
        coalesce((
            select max(activity_date) from {{ ref('stg_projects__usage_events') }}
            where activity_date <= current_date
        ), date '1900-01-01'),
        coalesce((
            select max(posting_date) from {{ ref('stg_costs__cost_lines') }}
            where posting_date <= current_date
        ), date '1900-01-01'),
        coalesce((
            select max(week_start) + 6 from {{ ref('stg_projects__timesheets') }}
            where week_start + 6 <= current_date
        ), date '1900-01-01')
    ) as latest_source_date
),

as_of as (
    select
        {% if var('as_of_date') %}
            cast('{{ var("as_of_date") }}' as date)
        {% else %}
            latest_source_date
        {% endif %} as as_of_date
    from latest
),

final as (
    select
        as_of_date,
        cast(case
            when last_day(as_of_date) = as_of_date then date_trunc('month', as_of_date)
            else date_trunc('month', as_of_date) - interval 1 month
        end as date) as as_of_month,
        (
            select cast(date_trunc('month', min(hubs.opened_on)) as date)
            from {{ ref('stg_hr__hubs') }} as hubs
        ) as first_month
    from as_of
)

select * from final
