"""The Spark engine's marts, mirrored into the DuckDB warehouse for the publication.

With ``KPI_ENGINE=spark`` dbt builds every model in Spark; each table is a directory of Parquet
files under ``<spark_dir>/warehouse/<schema>.db/<table>/`` (Hive's layout, dbt's
``file_format: parquet``). The publication gate validates those files through GX's Spark
datasource (:mod:`dagster_project.validation.gx_spark`, its type rule naming each Spark type as
DuckDB reads it from Parquet). :func:`mirror_marts` copies the published marts from the same
files into the working DuckDB warehouse's ``marts`` schema, column types as Parquet carries them
(nothing cast; tests/test_spark.py compares the publication's column types with the DuckDB
engine's). From there write-audit-publish is the same on both engines: the same
``kpi.duckdb``, Parquet files and manifest, so BI tools and the report see no difference.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from dagster_project.output_contract import PUBLISHED_TABLES


class SparkTableMissing(RuntimeError):
    """A mart has no Parquet files in the Spark warehouse (dbt did not build it)."""


def spark_table_dir(spark_dir: Path, schema: str, table: str) -> Path:
    """Where Spark keeps a table's Parquet files (``spark.sql.warehouse.dir`` of profiles.yml)."""
    return spark_dir / "warehouse" / f"{schema}.db" / table


def _parquet_files(folder: Path) -> list[str]:
    files = sorted(str(p) for p in folder.glob("*.parquet"))
    if not files:
        raise SparkTableMissing(f"no Parquet files in {folder}: was the model built on Spark?")
    return files


# What the steps after dbt read from the warehouse: the published marts (the gate, the
# publication) and the reporting period (the as_of_date the publication records).
MIRRORED = (*(("marts", t.name) for t in PUBLISHED_TABLES), ("intermediate", "int_calendar__reporting_period"))


def mirror_marts(spark_dir: Path, warehouse: Path,
                 relations: tuple[tuple[str, str], ...] = MIRRORED) -> dict[str, int]:
    """Replace ``<schema>.<table>`` of the DuckDB ``warehouse`` by Spark's table, for each of
    ``relations``; the row counts by ``schema.table``. Identifiers come from the output contract
    and the dbt project; file paths are parameters."""
    counts = {}
    with contextlib.closing(duckdb.connect(str(warehouse))) as con:
        for schema, table in relations:
            files = _parquet_files(spark_table_dir(spark_dir, schema, table))
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{table}" AS SELECT * FROM read_parquet(?)', [files])
            [(counts[f"{schema}.{table}"],)] = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchall()
    return counts
