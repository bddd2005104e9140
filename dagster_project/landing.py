"""The landing zone of the Spark engine: each loaded source table as Parquet, a directory per table.

Ingestion (:mod:`dagster_project.ingest`) reads every CSV contract-strict into DuckDB's ``raw``
schema; with ``KPI_ENGINE=spark`` each raw asset then writes its table here, as
``<landing_dir>/<table>/part-00000.parquet``. The Spark engine's ``raw`` tables are external
Parquet tables over these directories (registered by dbt itself: the ``register_landing_tables``
macro, run at the start of every dbt invocation on Spark). Hive-style table locations must be
directories, hence one per table. A table is replaced atomically: written beside its directory,
then swapped in with a rename, so a failed write leaves the previous landing intact.

Each directory records the run that landed it (``_landed_by_run``: Spark and Parquet readers skip
files whose name starts with ``_``). A step run without the ingestion before it (one step
re-executed from the UI, or after a DuckDB run loaded other sources) first re-lands, from the
warehouse's validated ``raw`` tables, every source this run did not land:
:func:`land_what_this_run_did_not`. So Spark never reads sources older than the warehouse's.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import duckdb

PART_FILE = "part-00000.parquet"
LANDED_BY = "_landed_by_run"


def land(con: duckdb.DuckDBPyConnection, table: str, landing_dir: Path, run_id: str, schema: str = "raw") -> Path:
    """Write ``<schema>.<table>`` of ``con`` to ``landing_dir/<table>/``, as landed by ``run_id``;
    the directory."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    target = landing_dir / table
    staging = landing_dir / f".{table}.writing"
    replaced = landing_dir / f".{table}.replaced"
    for leftover in (staging, replaced):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir()
    # the relational API: no SQL text is built from the path
    con.table(f"{schema}.{table}").write_parquet(str(staging / PART_FILE))
    (staging / LANDED_BY).write_text(run_id)
    if target.exists():
        target.rename(replaced)
    staging.rename(target)
    shutil.rmtree(replaced, ignore_errors=True)
    return target


def land_all(con: duckdb.DuckDBPyConnection, tables: list[str], landing_dir: Path, run_id: str) -> list[Path]:
    """Every table of ``tables`` (in schema ``raw``) landed; their directories."""
    return [land(con, table, landing_dir, run_id) for table in tables]


def landed_by(landing_dir: Path, table: str) -> str | None:
    """The run that landed ``table``, or None where it is not landed."""
    marker = landing_dir / table / LANDED_BY
    return marker.read_text() if marker.is_file() else None


def land_what_this_run_did_not(warehouse: Path, landing_dir: Path, run_id: str) -> list[str]:
    """Re-land, from the DuckDB ``warehouse`` (opened read-only), every source that ``run_id``'s
    ingestion did not land and the warehouse holds; the tables re-landed."""
    from dagster_project.contract import SOURCES

    stale = [s.name for s in SOURCES if landed_by(landing_dir, s.name) != run_id]
    if not stale:
        return []
    with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        loaded = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()}
        stale = [name for name in stale if name in loaded]
        land_all(con, stale, landing_dir, run_id)
    return stale

