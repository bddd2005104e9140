"""Resources: the warehouse (DuckDB), the source directory, the publication and dbt, from
:class:`Settings`. They are plain configuration: the assets and checks call ingest and publish.

The warehouse and dbt, the two resources through which a run writes, hold the refresh lock
(:mod:`dagster_project.guard`) for the whole run: every step of the job uses one of them, and the
in-process executor sets resources up once per run, before the first step. Taking the lock
first clears what a killed run left (:mod:`dagster_project.recovery`).
"""

from __future__ import annotations

import contextlib
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging.version import Version

from dagster_project import warehouse as warehouse_file
from dagster_project.config import DBT_PROJECT_DIR, Settings
from dagster_project.dbt_runner import dbt_executable
from dagster_project.guard import refresh_lock
from dagster_project.recovery import recover

# The assets that write the warehouse name this pool. It has no limit (dagster_home/dagster.yaml
# sets none): the refresh lock serialises whole runs, and the in-process executor runs one step
# at a time, so a pool limit would only add a failure mode (a killed run keeping its slot).
WAREHOUSE_POOL = "warehouse"


@contextlib.contextmanager
def holding_the_refresh_lock(context: dg.InitResourceContext, warehouse: str, publish_dir: str):
    """The refresh lock of ``warehouse`` and ``publish_dir`` for this run, and, the first time the
    run takes it, the recovery of what dead runs left (each thing cleared logged in one line)."""
    run_id = context.run_id or "no-run"
    with refresh_lock(Path(warehouse), Path(publish_dir), run_id) as lock:
        if lock.users == 1:
            for line in recover(lock, context.instance, Path(warehouse), Path(publish_dir)):
                context.log.warning(line)
            lock.recovered()
        yield


class Warehouse(DuckDBResource):
    """The working DuckDB file; holds the refresh lock for the run, and opens the file in one
    attempt (a failure names the file and DuckDB's reason at once, no retry loop)."""

    publish_dir: str

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        with holding_the_refresh_lock(context, self.database, self.publish_dir), \
                super().yield_for_execution(context) as value:
            yield value

    @contextlib.contextmanager
    def get_connection(self):
        con = warehouse_file.connect(Path(self.database), config=self.connection_config)
        try:
            yield con
        finally:
            con.close()


class SourceDirectory(dg.ConfigurableResource):
    """The directory of CSV exports (hr/, projects/, costs/) the run reads."""

    path: str


class Engine(dg.ConfigurableResource):
    """The engine the models run on (KPI_ENGINE) and, for Spark, where its data is: the landing
    zone ingestion writes the sources to, and the directory of the tables dbt builds."""

    name: str
    landing_dir: str
    spark_dir: str

    @property
    def is_spark(self) -> bool:
        return self.name == "spark"


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

    dbt writes the warehouse, so this resource holds the refresh lock for the run too.
    """

    warehouse: str
    publish_dir: str

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        with holding_the_refresh_lock(context, self.warehouse, self.publish_dir), \
                super().yield_for_execution(context) as value:
            yield value

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def build_resources(settings: Settings) -> dict[str, object]:
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    return {
        "warehouse": Warehouse(database=str(settings.warehouse), publish_dir=str(settings.publish_dir)),
        "sources": SourceDirectory(path=str(settings.source_dir)),
        "engine": Engine(name=settings.engine, landing_dir=str(settings.landing_dir),
                         spark_dir=str(settings.spark_dir)),
        "publication": Publication(publish_dir=str(settings.publish_dir),
                                   max_table_shrink=settings.max_table_shrink),
        "dbt": ProjectDbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                                     dbt_executable=dbt_executable(settings), warehouse=str(settings.warehouse),
                                     publish_dir=str(settings.publish_dir)),
    }
