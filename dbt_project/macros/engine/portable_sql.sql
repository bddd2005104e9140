{# SQL that DuckDB and Spark write differently, where dbt's cross-database macros do not reach.
   Each macro has a duckdb__ form (the SQL the models had before they ran on two engines, so the
   DuckDB figures are unchanged) and a spark__ form. #}

{# A generated series as a FROM item joined with `cross join`: one row per value from `start`
   to `stop` (inclusive) by `step` (an interval literal such as `interval 1 month`), in the
   column `<alias>.generate_series`. The bounds may refer to the tables joined before it
   (a lateral join). dbt.date_spine cannot do this: it needs bounds known at compile time.
   Spark: explode(sequence(...)) of dates. #}
{% macro series(start, stop, step, alias) -%}
    {{ return(adapter.dispatch('series')(start, stop, step, alias)) }}
{%- endmacro %}

{% macro duckdb__series(start, stop, step, alias) -%}
    generate_series({{ start }}, {{ stop }}, {{ step }}) as {{ alias }}
{%- endmacro %}

{% macro spark__series(start, stop, step, alias) -%}
    lateral explode(sequence(cast({{ start }} as date), cast({{ stop }} as date), {{ step }})) as {{ alias }}(generate_series)
{%- endmacro %}

{# Whole days from `start` to `end` (end - start), NULL when either is NULL. DuckDB's date - date
   is this integer; Spark's is an INTERVAL (silently: comparisons with numbers then fail or
   mislead). dbt.datediff gives the integer but wraps both dates in assert_not_null on Spark,
   which raises on the NULL dates these models rely on (open spells, solutions not in
   production). A BIGINT on both, as DuckDB's difference is. #}
{% macro days_between(start, end) -%}
    {{ return(adapter.dispatch('days_between')(start, end)) }}
{%- endmacro %}

{% macro duckdb__days_between(start, end) -%}
    {{ end }} - {{ start }}
{%- endmacro %}

{% macro spark__days_between(start, end) -%}
    cast(datediff({{ end }}, {{ start }}) as bigint)
{%- endmacro %}
