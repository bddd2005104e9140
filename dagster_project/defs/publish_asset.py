"""The publication: validated KPI tables for BI tools (DuckDB and Parquet) and their HTML report,
swapped in atomically. Its freshness policy turns it red in the UI when a night is missed."""

import datetime as dt
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.config import Settings
from dagster_project.contract import SOURCES
from dagster_project.defs.dbt_assets import DBT_ASSETS_NAME
from dagster_project.defs.raw_assets import raw_asset_key
from dagster_project.defs.resources import WAREHOUSE_POOL, Publication
from dagster_project.defs.table_metadata import OWNERS
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import publish, release_name
from dagster_project.report import REPORT_DIR, build_report
from dagster_project.run_tags import AS_OF_DATE

# Published less than 26 hours ago: a nightly refresh plus two hours of slack. The daemon
# evaluates it every 30 s, run or no run.
MAX_AGE = dt.timedelta(hours=26)
REPORTING_PERIOD = dg.AssetKey(["intermediate", "int_calendar__reporting_period"])  # the as_of_date it records


def _sources(instance: dg.DagsterInstance) -> list[dict]:
    """Each source file's name (relative to the source directory: a publication does not depend on
    where the sources sat), row count and SHA-256, as recorded by its raw asset."""
    files = []
    for source in SOURCES:
        event = instance.get_latest_materialization_event(raw_asset_key(source))
        metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
        entry = {name: (metadata[key].value if key in metadata else None)
                 for name, key in (("row_count", "dagster/row_count"), ("sha256", "sha256"))}
        suffix = Path(metadata["file"].value).name.removeprefix(source.name) if "file" in metadata else ".csv"
        files.append({"name": f"{source.relative_stem}{suffix}", **entry})
    return files


PUBLICATION = dg.AssetKey(["published", "kpi_publication"])
REPORT = dg.AssetKey(["published", "kpi_report"])
PUBLISH_STEP = "kpi_publication"  # the step that writes the publication and its report
ROW_COUNT_PREFIX = "rows/"  # the publication's metadata: one row count per published table


def _validation(instance: dg.DagsterInstance, run_id: str) -> dict | None:
    """What this run checked before publishing: checks, GX expectations, dbt tests, warnings;
    None when it checked nothing (the publication alone re-executed): the report then says that
    the validation was not recorded instead of claiming that every rule passed."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    if not evaluations:
        return None
    gx = [e for e in evaluations if e.check_name == "gx_suite"]
    warnings = [{"asset": e.asset_key.to_user_string(), "rule": failure["rule"], "count": failure["count"]}
                for e in gx for failure in (e.metadata["failures"].value if "failures" in e.metadata else [])
                if failure["severity"] == "warning"]
    warnings += [{"asset": e.asset_key.to_user_string(), "rule": e.check_name, "count": None}
                 for e in evaluations if e.check_name != "gx_suite" and not e.passed]
    return {"checks": len(evaluations),
            "expectations": sum(e.metadata["evaluated_expectations"].value for e in gx
                                if "evaluated_expectations" in e.metadata),
            "dbt_tests": len(evaluations) - len(gx),
            "warnings": warnings}


def _parameters(context: dg.AssetExecutionContext, settings: Settings) -> dict:
    """The KPI parameters the run's dbt build used: the settings, with the run config's overrides."""
    run_config = ((context.run.run_config.get("ops") or {}).get(DBT_ASSETS_NAME) or {}).get("config") or {}
    overrides = {k: v for k, v in run_config.items() if k in settings.parameters}
    return settings.with_run_parameters(overrides, None).parameters


def build_publication(settings: Settings) -> dg.AssetsDefinition:
    """The publication and its report, made in one step so that both go live together."""

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                PUBLICATION, group_name="publish", kinds={"duckdb", "parquet"}, owners=OWNERS,
                freshness_policy=dg.FreshnessPolicy.time_window(fail_window=MAX_AGE),
                metadata={"dagster/uri": str(settings.publish_dir)},
                deps=[*(dg.AssetKey(["marts", table.name]) for table in PUBLISHED_TABLES), REPORTING_PERIOD],
                description=(
                    "The published KPI tables of the output contract (docs/published_tables.md): kpi.duckdb "
                    "(DuckDB 1.x-readable), one Parquet file per table in parquet/, and manifest.json "
                    "(as_of_date, sources, parameters, what was validated) in KPI_PUBLISH_DIR. Written only "
                    "after every blocking check passed, then swapped in atomically; the previous publication "
                    "stays intact until then."),
            ),
            dg.AssetSpec(
                REPORT, group_name="publish", kinds={"html"}, deps=[PUBLICATION], owners=OWNERS,
                description=(
                    "report/index.html in the publication: a self-contained HTML report (executive summary, "
                    "hubs, portfolio, cost, trust) built from the published tables and manifest only, "
                    "written into the release before the swap so that it goes live with the tables."),
            ),
        ],
        name=PUBLISH_STEP,
        pool=WAREHOUSE_POOL,
    )
    def kpi_publication(context: dg.AssetExecutionContext, warehouse: DuckDBResource, publication: Publication):
        run_started = context.instance.get_run_stats(context.run_id).start_time
        started = (dt.datetime.fromtimestamp(run_started, dt.UTC) if run_started
                   else dt.datetime.now(dt.UTC))
        with warehouse.get_connection() as con:
            [(as_of_date,)] = con.execute(f"select as_of_date from {'.'.join(REPORTING_PERIOD.path)}").fetchall()
        manifest = {
            "as_of_date": str(as_of_date),
            "run_id": context.run_id,
            "run_started_at": started.isoformat(),
            "published_at": dt.datetime.now(dt.UTC).isoformat(),
            "sources": _sources(context.instance),
            "parameters": _parameters(context, settings),
            "validation": _validation(context.instance, context.run_id),
        }
        context.instance.add_run_tags(context.run_id, {AS_OF_DATE: str(as_of_date)})  # the date it derived
        publish_dir = Path(publication.publish_dir)
        release, row_counts = publish(Path(warehouse.database), publish_dir, PUBLISHED_TABLES, manifest,
                                      release_name(context.run_id, started), complete=build_report)
        yield dg.MaterializeResult(asset_key=PUBLICATION, metadata={
            "publish_dir": str(publish_dir),
            "release": str(release),
            "as_of_date": str(as_of_date),
            **{f"{ROW_COUNT_PREFIX}{table}": dg.MetadataValue.int(rows) for table, rows in row_counts.items()},
        })
        report = release / REPORT_DIR / "index.html"
        yield dg.MaterializeResult(asset_key=REPORT, metadata={
            "path": dg.MetadataValue.path(str(publish_dir / REPORT_DIR / "index.html")),
            "release_path": dg.MetadataValue.path(str(report)),
            "size_kb": round(report.stat().st_size / 1024, 1),
        })

    return kpi_publication
