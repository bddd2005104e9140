"""Jobs: one job that refreshes the whole graph (ingest, validate, transform, publish).

It runs in one process, step after step (``in_process_executor``), however it is launched
(``make run``, the launchpad, the schedule, the sensor): the steps share the warehouse and run
one at a time anyway (one DuckDB writer), so a process per step would only add start-up time.
Every run carries the tags of :func:`dagster_project.run_tags.run_tags`.
"""

import dagster as dg

from dagster_project.config import Settings
from dagster_project.run_tags import run_tags

JOB_NAME = "refresh_all"


def build_refresh_job(settings: Settings) :
    """The refresh job of ``settings``; its runs are tagged with what they use."""
    return dg.define_asset_job(
        name=JOB_NAME,
        selection=dg.AssetSelection.all(),
        description="Refresh everything: ingest the sources, build and check the KPIs, publish.",
        # as definition tags (no separate run_tags): every way of launching copies them to the run,
        # GraphQL's launchRun included, which copies only these
        tags={"kpi/owner": "data-engineering", **run_tags(settings)},
        executor_def=dg.in_process_executor,
    )
