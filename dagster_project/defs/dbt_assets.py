"""The dbt models as Dagster assets, and dbt's data tests as their (blocking) asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DbtCliResource,
    DbtProject,
    dbt_assets,
    group_from_dbt_resource_props_fallback_to_directory,
)
from dagster_dbt.asset_utils import default_description_fn

from dagster_project.config import DBT_PROJECT_DIR, ConfigError, Settings
from dagster_project.dbt_runner import (
    DBT_TARGET_DIR,
    LOG_FILE_ARGS,
    export_environment,
    prune_invocation_targets,
    vars_argument,
)
from dagster_project.defs.resources import WAREHOUSE_POOL
from dagster_project.defs.run_config import kpi_parameters_config
from dagster_project.landing import land_warehouse
from dagster_project.spark_marts import mirror_marts

DBT_ASSETS_NAME = "kpi_dbt_models"  # also the prefix of each dbt build's target folder
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=DBT_TARGET_DIR)


class KpiDbtTranslator(DagsterDbtTranslator):
    """What differs from dagster-dbt's defaults. The defaults already give the asset keys
    ``<layer>/<model>`` (the ``+schema`` of each layer in dbt_project.yml) and the kinds dbt and
    duckdb; here each layer (staging, intermediate, marts) is a group, and the description is
    the model's YAML description without its SQL (the defaults append the raw SQL)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return group_from_dbt_resource_props_fallback_to_directory(dbt_resource_props)

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return default_description_fn(dbt_resource_props, display_raw_sql=False)


def build_dbt_assets(settings: Settings) -> dg.AssetsDefinition:
    """All dbt models, built with ``dbt build`` (tests included, unit tests left to CI), with the
    KPI parameters of the run config (defaults: ``settings``) as dbt vars."""
    RunParameters = kpi_parameters_config(settings)

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        dagster_dbt_translator=KpiDbtTranslator(),
        project=dbt_project,
        pool=WAREHOUSE_POOL,
        name=DBT_ASSETS_NAME,
    )
    def kpi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: RunParameters):
        """Staging views, intermediate tables and the KPI marts of docs/kpis.md."""
        try:
            run_settings = config.apply(settings)
        except ConfigError as error:
            raise dg.Failure(description=f"run config: {error}") from None
        export_environment(run_settings)
        args = ["build", "--exclude-resource-type", "unit_test", *LOG_FILE_ARGS, *vars_argument(run_settings)]
        if run_settings.engine == "spark":  # Spark reads the sources from the landing zone
            land_warehouse(run_settings.warehouse, run_settings.landing_dir)
        yield from dbt.cli(args, context=context).stream()
        if run_settings.engine == "spark":  # the gate and the publication read the DuckDB warehouse
            mirror_marts(run_settings.spark_dir, run_settings.warehouse)
        prune_invocation_targets(DBT_ASSETS_NAME)

    return kpi_dbt_models
