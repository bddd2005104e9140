"""AI-transformation KPI pipeline: Dagster assets over dbt-duckdb models and GX checks."""
