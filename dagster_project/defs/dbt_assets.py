"""The dbt models as Dagster assets, and dbt's data tests as their (blocking) asset checks."""

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
    group_from_dbt_resource_props_fallback_to_directory,
)
from dagster_dbt.asset_utils import DAGSTER_DBT_PROJECT_METADATA_KEY, default_description_fn
from dagster_duckdb import DuckDBResource

from dagster_project.config import DBT_PROJECT_DIR, ConfigError, Settings
from dagster_project.dbt_runner import (
    DBT_TARGET_DIR,
    LOG_FILE_ARGS,
    export_environment,
    prune_invocation_targets,
    vars_argument,
)
from dagster_project.defs.dbt_test_descriptions import describe_test
from dagster_project.defs.resources import WAREHOUSE_POOL
from dagster_project.defs.run_config import kpi_parameters_config
from dagster_project.defs.table_metadata import OWNERS, built_table_metadata, published_table_metadata
from dagster_project.landing import land_what_this_run_did_not
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.run_tags import run_tags
from dagster_project.spark_marts import mirror_marts

DBT_ASSETS_NAME = "kpi_dbt_models"  # also the prefix of each dbt build's target folder
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=DBT_TARGET_DIR)
PUBLISHED = {table.name: table for table in PUBLISHED_TABLES}


class KpiDbtTranslator(DagsterDbtTranslator):
    """What differs from dagster-dbt's defaults. The defaults already give the asset keys
    ``<layer>/<model>`` (the ``+schema`` of each layer in dbt_project.yml) and the kinds dbt and
    duckdb. Here:

    - each layer (staging, intermediate, marts) is a group, every model is owned by the data
      engineering team and links to its SQL file (code references);
    - the description is the model's YAML description without its SQL (the defaults append the
      raw SQL);
    - a published mart has the column schema of the output contract (types and the descriptions
      BI users read) and its published location as its storage;
    - each data test's check says its rule in one line (:mod:`dbt_test_descriptions`);
    - the spec does not carry the ``DbtProject`` object as metadata (the UI would show it as
      "unserializable"): the translator holds the project itself.
    """

    def __init__(self, settings: Settings):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=True))
        self.publish_dir = settings.publish_dir

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return group_from_dbt_resource_props_fallback_to_directory(dbt_resource_props)

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return default_description_fn(dbt_resource_props, display_raw_sql=False)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return OWNERS

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        table = PUBLISHED.get(dbt_resource_props["name"]) if dbt_resource_props.get("schema") == "marts" else None
        if table:
            metadata.update(published_table_metadata(table, self.publish_dir))
            metadata["warehouse_table"] = f"marts.{table.name}"
        return metadata

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, dbt_project)
        metadata = {k: v for k, v in spec.metadata.items() if k != DAGSTER_DBT_PROJECT_METADATA_KEY}
        return spec.replace_attributes(metadata=metadata)

    def get_asset_check_spec(self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str,
                             project: DbtProject | None) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, dbt_project)
        return spec._replace(description=describe_test(manifest["nodes"][unique_id])) if spec else None


def _published_mart(event) -> str | None:
    """The name of the published mart whose output ``event`` is, else None."""
    if not isinstance(event, dg.Output):
        return None
    key = getattr(event, "asset_key", None) or dg.AssetKey(event.output_name.split("__"))
    return key.path[-1] if key.path[0] == "marts" and key.path[-1] in PUBLISHED else None


def _with_table_metadata(outputs: Iterable[dg.Output], warehouse: DuckDBResource) -> Iterable[dg.Output]:
    """Each published mart's output with its row count and a preview. Read once dbt has exited:
    DuckDB lets no other process open the warehouse while dbt writes it."""
    with warehouse.get_connection() as con:
        for output in outputs:
            built = built_table_metadata(con, "marts", _published_mart(output))
            yield output.with_metadata({**output.metadata, **built})


def build_dbt_assets(settings: Settings) -> dg.AssetsDefinition:
    """All dbt models, built with ``dbt build`` (tests included, unit tests left to CI), with the
    KPI parameters of the run config (defaults: ``settings``) as dbt vars."""
    RunParameters = kpi_parameters_config(settings)

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        dagster_dbt_translator=KpiDbtTranslator(settings),
        project=dbt_project,
        pool=WAREHOUSE_POOL,
        name=DBT_ASSETS_NAME,
    )
    def kpi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBResource,
                       config: RunParameters):
        """Staging views, intermediate tables and the KPI marts of docs/kpis.md."""
        try:
            run_settings = config.apply(settings)
        except ConfigError as error:
            raise dg.Failure(description=f"run config: {error}") from None
        changed = {k: v for k, v in run_tags(run_settings).items() if context.run.tags.get(k) != v}
        if changed:  # parameters given in the launchpad: the run says what it used
            context.instance.add_run_tags(context.run_id, changed)
        export_environment(run_settings)
        args = ["build", "--exclude-resource-type", "unit_test", *LOG_FILE_ARGS, *vars_argument(run_settings)]
        if run_settings.engine == "spark":  # Spark reads the sources this run validated, never older ones
            relanded = land_what_this_run_did_not(run_settings.warehouse, run_settings.landing_dir, context.run_id)
            if relanded:
                context.log.info(f"re-landed from the warehouse (not ingested by this run): {', '.join(relanded)}")
        # every event as dbt reports it (the console counts models and tests live), except the
        # published marts' outputs: held until dbt has exited, to carry their row count and preview
        held, failure = [], None
        try:
            for event in dbt.cli(args, context=context).stream():
                if _published_mart(event):
                    held.append(event)
                else:
                    yield event
        except Exception as error:  # re-raised below, once what dbt built is reported
            failure = error
        if failure is None:
            if run_settings.engine == "spark":  # the publication is written from DuckDB
                mirror_marts(run_settings.spark_dir, run_settings.warehouse)
            held = _with_table_metadata(held, warehouse)  # this run's marts are in the warehouse
        yield from held
        prune_invocation_targets(DBT_ASSETS_NAME)
        if failure:
            raise failure

    return kpi_dbt_models
