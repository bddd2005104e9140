{# Generic data tests written here because dbt hub packages (dbt_utils) cannot be fetched. #}

{# The grain: these columns are unique together. #}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{# A boolean SQL expression that must hold on every row. #}
{% test expression_is_true(model, expression) %}
    select * from {{ model }} where not coalesce({{ expression }}, false)
{% endtest %}

{# Values within [min_value, max_value]; NULL passes (use not_null for that). #}
{% test within_range(model, column_name, min_value=none, max_value=none) %}
    select * from {{ model }}
    where {{ column_name }} is not null and (
        false
        {% if min_value is not none %} or {{ column_name }} < {{ min_value }} {% endif %}
        {% if max_value is not none %} or {{ column_name }} > {{ max_value }} {% endif %}
    )
{% endtest %}

{# Money is never lost or invented: the sum of a column equals the EUR sum of the ledger lines
   of the reported months, to the cent. `plus` adds another model's column sum. #}
{% test sums_to_ledger(model, column_name, plus_model=none, plus_column=none) %}
    with totals as (
        select
            (select coalesce(sum({{ column_name }}), 0) from {{ model }})
            {% if plus_model is not none %}
            + (select coalesce(sum({{ plus_column }}), 0) from {{ plus_model }})
            {% endif %} as published,
            (select coalesce(sum(amount_eur), 0) from {{ ref('int_costs__lines_eur') }}) as ledger
    )
    select * from totals where abs(published - ledger) > 0.005
{% endtest %}

{# A pool is spread at most once: per group (one pool), the allocated sum has the pool's sign and
   is no larger, to the cent. (Signs compared with sign(): a product of two DECIMAL(38) sums can
   overflow.) #}
{% test allocation_within_pool(model, group_by, pool_column='pool_cost_eur', allocated_column='allocated_cost_eur') %}
    select {{ group_by | join(', ') }}, max({{ pool_column }}) as pool, sum({{ allocated_column }}) as allocated
    from {{ model }}
    group by {{ group_by | join(', ') }}
    having abs(sum({{ allocated_column }})) > abs(max({{ pool_column }})) + 0.005
        or sign(sum({{ allocated_column }})) * sign(max({{ pool_column }})) < 0
{% endtest %}

{# A hub-month rate of working hours is NULL only when the hub's employees logged no working
   (non-LEAVE) hours that month; a month of hours but none on solutions gives 0. #}
{% test null_only_without_working_hours(model, column_name) %}
    select kpi.*
    from {{ model }} as kpi
    where kpi.{{ column_name }} is null and exists (
        select 1 from {{ ref('int_timesheets__attributed') }} as hours
        where hours.hub_id = kpi.hub_id and hours.month = kpi.month
          and hours.worker_type = 'EMPLOYEE' and hours.activity_type <> 'LEAVE'
    )
{% endtest %}
