{# The numerators of the portfolio shares of spec/kpis.md (portfolio_health, company_scorecard),
   counted over rows of int_solutions__monthly_health, which derives each solution's flags once. #}
{% macro production_health_counts() -%}
    count(*) filter (where stage = 'PRODUCTION' and is_monitored) as monitored,
    count(*) filter (where stage = 'PRODUCTION' and is_maintained) as maintained,
    count(*) filter (where stage = 'PRODUCTION' and target_users > 0) as production_with_users,
    count(*) filter (where stage = 'PRODUCTION' and is_adopted) as adopted,
    count(*) filter (where is_healthy) as healthy
{%- endmacro %}
