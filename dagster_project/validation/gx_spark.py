"""The same Great Expectations suites on the Spark engine, through GX's native Spark datasource.

Beside :mod:`gx_duckdb`: with ``KPI_ENGINE=spark`` the pipeline's checks validate Spark
DataFrames with the suites of ``expectations/`` (the same JSON, rules and severities): the source
suites on the landing zone (:mod:`dagster_project.landing`), the publication gate on the tables
dbt built in Spark (:func:`dagster_project.spark_marts.spark_table_dir`). A failed critical
expectation makes :attr:`SuiteResult.passed` false, which blocks exactly as on DuckDB.

The SQL rules run as Spark SQL, one text for both engines, with two provisions made here:
- the rules that read another source table (``raw.employees``...) find it: the validation
  session registers every landed source as ``raw.<table>`` in its own in-memory catalog;
- the one rule that asks DuckDB for a batch's column types (``describe``, see
  :func:`dagster_project.validation.suites.columns_match_query`) gets the DataFrame's schema
  instead, its Spark types named as DuckDB reads them from Spark's Parquet files (which is what
  the publication holds), so a column of another type fails the gate on both engines.
GX puts the batch in a temporary view and substitutes ``{batch}``; it reuses one view name, so
the suites are validated one after the other, never in parallel.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from dagster_project.sql import literal
from dagster_project.validation.runner import SAMPLE_ROWS, SuiteResult, _plain, validate_batch

SAMPLES_VIEW = "kpi_gx_samples"
LOG4J2_PROPERTIES = Path(__file__).resolve().parent.parent / "spark_conf" / "log4j2.properties"

# Spark's type names (DataType.simpleString) as DuckDB names the same Parquet column.
DUCKDB_TYPE_OF_SPARK = {
    "string": "VARCHAR", "boolean": "BOOLEAN", "tinyint": "TINYINT", "smallint": "SMALLINT",
    "int": "INTEGER", "bigint": "BIGINT", "float": "FLOAT", "double": "DOUBLE", "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE", "timestamp_ntz": "TIMESTAMP", "binary": "BLOB",
}
DECIMAL = re.compile(r"decimal\((\d+),(\d+)\)")


@contextlib.contextmanager
def local_spark(work_dir: Path) -> Iterator[object]:
    """A local SparkSession for validation (master local[2], UTC, exact decimals, as the dbt
    profile's; ANSI off, as dbt-spark sets it in its session), with an in-memory catalog of its
    own (never the dbt session's metastore) and the JVM logging errors only; stopped on exit."""
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("kpi-gx")
             .config("spark.driver.memory", "2g")
             .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={LOG4J2_PROPERTIES}")
             .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.catalogImplementation", "in-memory")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "UTC").config("spark.sql.ansi.enabled", "false")
             .config("spark.sql.warehouse.dir", str(work_dir / "gx-warehouse")).getOrCreate())
    try:
        yield spark
    finally:
        spark.stop()


def register_sources(spark, landing_dir: Path, tables: list[str]) -> None:
    """Each landed source as ``raw.<table>`` in the session's catalog (an external Parquet table,
    as dbt's ``register_landing_tables`` macro makes them), for the rules that read one."""
    spark.sql("create database if not exists raw")
    for table in (t for t in tables if (landing_dir / t).is_dir()):
        spark.sql(f"drop table if exists raw.{table}")
        spark.catalog.createTable(f"raw.{table}", path=str(landing_dir / table), source="parquet")


def duckdb_type(spark_type: str) -> str:
    """The DuckDB name of a Spark column type (``decimal(18,2)`` -> ``DECIMAL(18,2)``)."""
    decimal = DECIMAL.fullmatch(spark_type)
    return f"DECIMAL({decimal[1]},{decimal[2]})" if decimal else DUCKDB_TYPE_OF_SPARK.get(spark_type, spark_type)


def columns_relation(frame) -> str:
    """The DataFrame's columns as a SQL relation (column_name, column_type), types named as DuckDB
    names them. GX refuses a query that does not read ``{batch}``: the relation joins one row
    of it (a count, so an empty table still lists its columns)."""
    rows = ", ".join(f"({literal(f.name)}, {literal(duckdb_type(f.dataType.simpleString()))})"
                     for f in frame.schema.fields)
    return (f"(select c.* from (values {rows}) as c(column_name, column_type) "
            f"left join (select count(*) as n from {{batch}}) b on true)")


def for_spark(suite: dict, frame) -> dict:
    """``suite`` with its column-type rule reading ``frame``'s schema instead of DuckDB's
    ``describe``; every other rule as it is."""
    from dagster_project.output_contract import PUBLISHED_TABLES_BY_NAME
    from dagster_project.validation.suites import COLUMNS_RULE, columns_match_query

    expectations = []
    for expectation in suite["expectations"]:
        if expectation["meta"]["rule"] == COLUMNS_RULE:
            table = PUBLISHED_TABLES_BY_NAME[suite["meta"]["table"].split(".")[1]]
            query = columns_match_query(table, columns_relation(frame))
            expectation = {**expectation, "kwargs": {**expectation["kwargs"], "unexpected_rows_query": query}}
        expectations.append(expectation)
    return {**suite, "expectations": expectations}


def _samples(spark, frame, query: str) -> list[dict]:
    frame.createOrReplaceTempView(SAMPLES_VIEW)
    rows = spark.sql(f"select * from ({query.replace('{batch}', SAMPLES_VIEW)}) limit {SAMPLE_ROWS}").collect()
    return [{name: _plain(value) for name, value in row.asDict().items()} for row in rows]


def validate_frames(spark, frames: Mapping[str, object], suites: list[dict],
                    docs_dir: Path | None = None) -> list[SuiteResult]:
    """Validate each suite on ``frames[suite['meta']['table']]`` (a Spark DataFrame), one at a time."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_spark("spark")
    results = []
    for suite in suites:
        table = suite["meta"]["table"]
        # each rule is a Spark job of its own: read the files once per suite, not once per rule
        # (what does not fit in memory spills to disk)
        frame = frames[table].cache()
        asset = source.add_dataframe_asset(table.replace(".", "_"))
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": frame})
        suite_result, failures = validate_batch(batch, for_spark(suite, frame), docs_dir)
        for failure, query in failures:
            if query:
                failure.samples.extend(_samples(spark, frame, query))
            suite_result.failures.append(failure)
        frame.unpersist()
        results.append(suite_result)
    return results


def validate_on_spark(landing_dir: Path, spark_dir: Path, suites: list[dict],
                      docs_dir: Path | None = None) -> list[SuiteResult]:
    """The pipeline's checks on the Spark engine: each suite's table read where Spark has it
    (``raw.*`` from the landing zone, ``marts.*`` from the tables dbt built), validated in one
    local session with every landed source registered for the cross-table rules."""
    from dagster_project.contract import SOURCES
    from dagster_project.spark_marts import spark_table_dir

    with local_spark(spark_dir) as spark:
        register_sources(spark, landing_dir, [s.name for s in SOURCES])
        frames = {}
        for suite in suites:
            schema, table = suite["meta"]["table"].split(".")
            folder = landing_dir / table if schema == "raw" else spark_table_dir(spark_dir, schema, table)
            frames[suite["meta"]["table"]] = spark.read.parquet(str(folder))
        return validate_frames(spark, frames, suites, docs_dir)
