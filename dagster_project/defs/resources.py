"""Resources: the warehouse (DuckDB), the source directory, the publication and dbt, from
:class:`Settings`. They are plain configuration: the assets and checks call ingest and publish."""

from __future__ import annotations

from functools import cached_property
from importlib.metadata import version as installed_version

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging.version import Version

from dagster_project.config import DBT_PROJECT_DIR, Settings
from dagster_project.dbt_runner import dbt_executable

# Everything that opens the warehouse read-write runs in this pool; dagster_home/dagster.yaml
# limits every pool to one slot, so DuckDB's single writer is never contended.
WAREHOUSE_POOL = "warehouse"


class SourceDirectory(dg.ConfigurableResource):
    """The directory of CSV exports (hr/, projects/, costs/) the run reads."""

    path: str


class Publication(dg.ConfigurableResource):
    """Where BI tools read the validated KPI tables, and how much a table may shrink per run."""

    publish_dir: str
    max_table_shrink: float


class ProjectDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs this project has no use for.

    Before each dbt command dagster-dbt runs ``dbt --version`` in a subprocess (1.6 s) to tell
    dbt Core from the Fusion engine, and opens a dbt adapter in the Dagster process (1.2 s: it
    imports dbt and reads the partial-parse file) that only serves ``fetch_row_counts()`` and
    ``fetch_column_metadata()``. Here dbt is the dbt-core of this environment, and neither
    fetch is used. tests/test_definitions.py fails if an upgrade renames what this overrides.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def build_resources(settings: Settings) -> dict[str, object]:
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    return {
        "warehouse": DuckDBResource(database=str(settings.warehouse)),
        "sources": SourceDirectory(path=str(settings.source_dir)),
        "publication": Publication(publish_dir=str(settings.publish_dir),
                                   max_table_shrink=settings.max_table_shrink),
        "dbt": ProjectDbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                              dbt_executable=dbt_executable(settings)),
    }
