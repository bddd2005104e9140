"""Jobs: one job that refreshes the whole graph (ingest, validate, transform, publish)."""

import dagster as dg

refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all(),
    description="Refresh everything: ingest the sources, build and check the KPIs, publish.",
    tags={"kpi/owner": "data-engineering"},
    executor_def=dg.in_process_executor,
)
