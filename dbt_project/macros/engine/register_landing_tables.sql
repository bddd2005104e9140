{# On Spark the raw sources are external Parquet tables over the landing zone (one directory per
   source table, written by dagster_project/landing.py under KPI_LANDING_DIR); on DuckDB they are
   the tables ingestion loaded into the warehouse, and there is nothing to do. Run as the
   project's on-run-start hook, so every dbt invocation on Spark sees the current landing. #}
{% macro register_landing_tables() -%}
    {{ return(adapter.dispatch('register_landing_tables')()) }}
{%- endmacro %}

{% macro default__register_landing_tables() -%}
{%- endmacro %}

{% macro spark__register_landing_tables() -%}
    {%- if execute -%}
        {%- set landing = env_var('KPI_LANDING_DIR') -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- if source.schema not in schemas -%}
                {%- do schemas.append(source.schema) -%}
                {%- do run_query('create schema if not exists ' ~ source.schema) -%}
            {%- endif -%}
            {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) -%}
            {%- do run_query('create table ' ~ source.schema ~ '.' ~ source.identifier ~ ' using parquet location '
                ~ spark_string_literal(landing ~ '/' ~ source.identifier)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{# A Spark SQL string literal of any text: backslashes and quotes escaped. #}
{% macro spark_string_literal(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
