"""Dagster definitions, one concept per module: resources, raw assets, dbt assets (and their run
config), checks, the publication, jobs, schedules and sensors.
:func:`dagster_project.definitions.build_defs` assembles them."""
