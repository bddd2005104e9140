"""The same Great Expectations suites on the Spark engine, through GX's native Spark datasource.

Beside :mod:`gx_duckdb`: the suites of ``expectations/`` (the same JSON, the same rules and
severities) validate Spark DataFrames: the landing zone's source tables
(:mod:`dagster_project.landing`) or the tables dbt built in Spark
(:func:`dagster_project.spark_marts.spark_table_dir`). A failed critical expectation makes
:attr:`SuiteResult.passed` false, which blocks exactly as on DuckDB. The SQL rules run as Spark
SQL: GX puts the batch in a temporary view and substitutes ``{batch}``; GX reuses one view name,
so the suites are validated one after the other, never in parallel.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path

from dagster_project.validation.runner import SAMPLE_ROWS, SuiteResult, _plain, validate_batch

SAMPLES_VIEW = "kpi_gx_samples"


@contextlib.contextmanager
def local_spark(spark_dir: Path) -> Iterator[object]:
    """A local SparkSession (master local[2], as the dbt profile's) for validation; stopped on exit."""
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("kpi-gx")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.warehouse.dir", str(spark_dir / "gx-warehouse")).getOrCreate())
    try:
        yield spark
    finally:
        spark.stop()


def _samples(spark, frame, query: str) -> list[dict]:
    frame.createOrReplaceTempView(SAMPLES_VIEW)
    rows = spark.sql(f"select * from ({query.replace('{batch}', SAMPLES_VIEW)}) limit {SAMPLE_ROWS}").collect()
    return [{name: _plain(value) for name, value in row.asDict().items()} for row in rows]


def validate_frames(spark, frames: Mapping[str, object], suites: list[dict],
                    docs_dir: Path | None = None) -> list[SuiteResult]:
    """Validate each suite on ``frames[suite['meta']['table']]`` (a Spark DataFrame), one at a time."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_spark("spark")
    results = []
    for suite in suites:
        table = suite["meta"]["table"]
        frame = frames[table]
        asset = source.add_dataframe_asset(table.replace(".", "_"))
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": frame})
        suite_result, failures = validate_batch(batch, suite, docs_dir)
        for failure, query in failures:
            if query:
                failure.samples.extend(_samples(spark, frame, query))
            suite_result.failures.append(failure)
        results.append(suite_result)
    return results


def landing_frames(spark, landing_dir: Path, tables: list[str]) -> dict[str, object]:
    """The landing zone's source tables as DataFrames, keyed ``raw.<table>`` as the suites name them."""
    return {f"raw.{table}": spark.read.parquet(str(landing_dir / table)) for table in tables}
