"""The landing zone of the Spark engine: each loaded source table as Parquet, a directory per table.

Ingestion (:mod:`dagster_project.ingest`) reads every CSV contract-strict into DuckDB's ``raw``
schema; with ``KPI_ENGINE=spark`` each raw asset then writes its table here, as
``<landing_dir>/<table>/part-00000.parquet``. The Spark engine's ``raw`` tables are external
Parquet tables over these directories (registered by dbt itself: the ``register_landing_tables``
macro, run at the start of every dbt invocation on Spark). Hive-style table locations must be
directories, hence one per table. A table is replaced atomically: written beside its directory,
then swapped in with a rename, so a failed write leaves the previous landing intact.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

PART_FILE = "part-00000.parquet"


def land(con: duckdb.DuckDBPyConnection, table: str, landing_dir: Path, schema: str = "raw") -> Path:
    """Write ``<schema>.<table>`` of ``con`` to ``landing_dir/<table>/``; the directory."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    target = landing_dir / table
    staging = landing_dir / f".{table}.writing"
    replaced = landing_dir / f".{table}.replaced"
    for leftover in (staging, replaced):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir()
    # the relational API: no SQL text is built from the path
    con.table(f"{schema}.{table}").write_parquet(str(staging / PART_FILE))
    if target.exists():
        target.rename(replaced)
    staging.rename(target)
    shutil.rmtree(replaced, ignore_errors=True)
    return target


def land_all(con: duckdb.DuckDBPyConnection, tables: list[str], landing_dir: Path) -> list[Path]:
    """Every table of ``tables`` (in schema ``raw``) landed; their directories."""
    return [land(con, table, landing_dir) for table in tables]

