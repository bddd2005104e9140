{# The contract values below are declared once in Python (dagster_project/contract.py:
   ROLE_FAMILIES, EVENT_ORDER, STAGES); tests/test_contract_macros.py fails when a macro here
   disagrees with it. #}

{# Role catalog of docs/sources.md: the three profile families of a data hub. #}
{% macro role_family(role) -%}
    case
        when {{ role }} in ('DATA_SCIENTIST', 'DATA_ENGINEER', 'ML_ENGINEER', 'DATA_ANALYST') then 'DATA_SCIENCE'
        when {{ role }} in ('SOFTWARE_ENGINEER', 'DATA_ARCHITECT', 'MLOPS_ENGINEER') then 'IT'
        when {{ role }} in ('SOLUTION_OWNER', 'DEPLOYMENT_LEAD', 'PRODUCT_MANAGER', 'HUB_LEAD') then 'BUSINESS'
    end
{%- endmacro %}

{# A rate as docs/kpis.md defines it: NULL when the denominator is 0 or NULL. #}
{% macro safe_ratio(numerator, denominator) -%}
    case when coalesce(({{ denominator }}), 0) = 0 then null
         else cast(({{ numerator }}) as double) / ({{ denominator }}) end
{%- endmacro %}

{# Ordering of same-day HR events (docs/sources.md): HIRE/REHIRE < TRANSFER/JOB_CHANGE < EXIT. #}
{% macro event_type_rank(event_type) -%}
    case when {{ event_type }} in ('HIRE', 'REHIRE') then 0 when {{ event_type }} = 'EXIT' then 2 else 1 end
{%- endmacro %}

{# The event types that open an employment spell (the first of the same-day order). #}
{% macro opens_spell(event_type) -%}
    ({{ event_type }} in ('HIRE', 'REHIRE'))
{%- endmacro %}

{# The lifecycle stages of a solution (docs/sources.md), in their published column order. #}
{% macro solution_stages() -%}
    {{ return(['IDEATION', 'POC', 'PILOT', 'PRODUCTION', 'RETIRED', 'STOPPED']) }}
{%- endmacro %}

{# Use schema names as given (staging, intermediate, marts), not prefixed with the target schema. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
