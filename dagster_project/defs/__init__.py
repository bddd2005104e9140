"""Dagster definitions, one concept per module: resources, raw assets, dbt assets, checks,
jobs and schedules. :mod:`dagster_project.definitions` assembles them."""
