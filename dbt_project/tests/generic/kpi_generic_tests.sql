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

{# A rate of spec/kpis.md: a fraction in [0, 1] (NULL when its denominator is 0). #}
{% test is_rate(model, column_name) %}
    select * from {{ model }}
    where {{ column_name }} is not null and ({{ column_name }} < 0 or {{ column_name }} > 1 + 1e-9)
{% endtest %}

{# Privacy (spec/kpis.md): a published table holds aggregates only, never a person's id. #}
{% test has_no_person_identifier(model) %}
    select column_name
    from information_schema.columns
    where table_schema = '{{ model.schema }}'
      and table_name = '{{ model.identifier }}'
      and (column_name ilike '%employee%' or column_name ilike '%user_id%')
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
   is no larger, to the cent. #}
{% test allocation_within_pool(model, group_by, pool_column='pool_cost_eur', allocated_column='allocated_cost_eur') %}
    select {{ group_by | join(', ') }}, max({{ pool_column }}) as pool, sum({{ allocated_column }}) as allocated
    from {{ model }}
    group by {{ group_by | join(', ') }}
    having abs(sum({{ allocated_column }})) > abs(max({{ pool_column }})) + 0.005
        or sum({{ allocated_column }}) * max({{ pool_column }}) < 0
{% endtest %}
