"""The publication: validated KPI tables for BI tools (DuckDB and Parquet), swapped in atomically."""

import datetime as dt
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.contract import SOURCES
from dagster_project.defs.raw_assets import raw_asset_key
from dagster_project.defs.resources import WAREHOUSE_POOL, Publication
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import publish, release_name

REPORTING_PERIOD = dg.AssetKey(["intermediate", "int_calendar__reporting_period"])  # the as_of_date it records


def _sources(instance: dg.DagsterInstance) -> list[dict]:
    """Each source file's name, row count and SHA-256, as recorded by its raw asset."""
    files = []
    for source in SOURCES:
        event = instance.get_latest_materialization_event(raw_asset_key(source))
        metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
        entry = {name: (metadata[key].value if key in metadata else None)
                 for name, key in (("file", "file"), ("row_count", "dagster/row_count"), ("sha256", "sha256"))}
        suffix = Path(entry["file"]).name.removeprefix(source.name) if entry["file"] else ".csv"
        files.append({"name": f"{source.relative_stem}{suffix}", **entry})
    return files


@dg.asset(
    key=["published", "kpi_publication"],
    group_name="publish",
    kinds={"duckdb", "parquet"},
    deps=[*(dg.AssetKey(["marts", table.name]) for table in PUBLISHED_TABLES), REPORTING_PERIOD],
    pool=WAREHOUSE_POOL,
    description=(
        "The published KPI tables of the output contract (docs/published_tables.md): kpi.duckdb (DuckDB 1.x-readable), "
        "parquet/<table>.parquet and manifest.json in KPI_PUBLISH_DIR. Written only after every "
        "blocking check passed, then swapped in atomically; the previous publication stays intact "
        "until then."
    ),
)
def kpi_publication(context: dg.AssetExecutionContext, warehouse: DuckDBResource,
                    publication: Publication) -> dg.MaterializeResult:
    run_started = context.instance.get_run_stats(context.run_id).start_time
    started = dt.datetime.fromtimestamp(run_started, dt.timezone.utc) if run_started else dt.datetime.now(dt.timezone.utc)
    with warehouse.get_connection() as con:
        [(as_of_date,)] = con.execute(f"select as_of_date from {'.'.join(REPORTING_PERIOD.path)}").fetchall()
    manifest = {
        "as_of_date": str(as_of_date),
        "run_id": context.run_id,
        "run_started_at": started.isoformat(),
        "published_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "sources": _sources(context.instance),
    }
    publish_dir = Path(publication.publish_dir)
    release, row_counts = publish(Path(warehouse.database), publish_dir, PUBLISHED_TABLES, manifest,
                                  release_name(context.run_id, started))
    return dg.MaterializeResult(metadata={
        "publish_dir": str(publish_dir),
        "release": str(release),
        "as_of_date": str(as_of_date),
        "tables": dg.MetadataValue.json(row_counts),
    })
