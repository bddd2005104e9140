"""The dbt models as Dagster assets, and dbt's data tests as their (blocking) asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from dagster_project.config import DBT_PROJECT_DIR, Settings
from dagster_project.dbt_runner import (
    DBT_TARGET_DIR,
    LOG_FILE_ARGS,
    export_environment,
    prune_invocation_targets,
    vars_argument,
)
from dagster_project.defs.resources import WAREHOUSE_POOL

DBT_ASSETS_NAME = "kpi_dbt_models"  # also the prefix of each dbt build's target folder
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=DBT_TARGET_DIR)


def describe_model(node: Mapping[str, Any]) -> str:
    """What a model is: its YAML description, else the comment heading its SQL, else (staging)
    the source it renames."""
    if node.get("description"):
        return node["description"]
    heading = []
    for line in node.get("raw_code", "").splitlines():
        if not line.startswith("--"):
            break
        heading.append(line.removeprefix("--").strip())
    if heading:
        return " ".join(heading)
    source = node["name"].split("__", 1)[-1]
    return f"Staging view of raw.{source}: the source file's columns, typed and named for the models."


class KpiDbtTranslator(DagsterDbtTranslator):
    """Asset keys ``<layer>/<model>`` (staging, intermediate, marts), grouped by layer."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if node is None or node["resource_type"] != "model":
            return spec
        layer = node["fqn"][1] if len(node["fqn"]) > 2 else "models"
        return spec.replace_attributes(
            key=dg.AssetKey([layer, node["name"]]),
            group_name=layer,
            kinds={"dbt", "duckdb"},
            description=describe_model(node),
        )


def build_dbt_assets(settings: Settings) -> dg.AssetsDefinition:
    """All dbt models, built with ``dbt build`` (tests included, unit tests left to CI)."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        dagster_dbt_translator=KpiDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
        project=dbt_project,
        pool=WAREHOUSE_POOL,
        name=DBT_ASSETS_NAME,
    )
    def kpi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """Staging views, intermediate tables and the KPI marts of spec/kpis.md."""
        export_environment(settings)
        args = ["build", "--exclude-resource-type", "unit_test", *LOG_FILE_ARGS, *vars_argument(settings)]
        yield from dbt.cli(args, context=context).stream()
        prune_invocation_targets(DBT_ASSETS_NAME)

    return kpi_dbt_models
