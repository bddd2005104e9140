"""Component timings behind the choices in docs/benchmarks.md, on one cached scale.

    python -m benchmarks.components --scale large

Prints: the cost of importing Great Expectations and of `dbt parse`; the GX suites of the two
biggest source files under each result format; `dbt build` with 2 and 4 threads.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.refresh import dataset, timed
from dagster_project.config import Settings
from dagster_project.contract import SOURCES
from dagster_project.dbt_runner import run_dbt
from dagster_project.ingest import load, locate
from dagster_project.validation.suites import load_suite


def gx_result_formats(warehouse: Path) -> dict[str, float]:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    from dagster_project.validation.gx_duckdb import gx_warehouse

    formats = {"BOOLEAN_ONLY": {"result_format": "BOOLEAN_ONLY"},
               "BASIC": {"result_format": "BASIC", "partial_unexpected_count": 5},
               "SUMMARY": {"result_format": "SUMMARY", "partial_unexpected_count": 5},
               "SUMMARY with key columns (one pass, as before the two-pass runner)": None}
    seconds = {}
    with gx_warehouse(warehouse) as source:
        batches = {}
        for name in ("raw.timesheets", "raw.usage_events"):
            suite = load_suite(name)
            schema, table = suite["meta"]["table"].split(".")
            asset = source.add_table_asset(name, table_name=table, schema_name=schema)
            batches[name] = (asset.add_batch_definition_whole_table("all").get_batch(), suite)
        for label, result_format in formats.items():
            seconds[label] = sum(timed(lambda b=batch, s=suite, f=result_format: b.validate(gx.ExpectationSuite(
                name=s["name"], expectations=[ExpectationConfiguration(**e).to_domain_obj()
                                              for e in s["expectations"]]),
                result_format=f or {"result_format": "SUMMARY", "partial_unexpected_count": 5,
                                    "unexpected_index_column_names": s["meta"]["primary_key"]}))
                for batch, suite in batches.values())
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=("demo", "medium", "large"), default="large")
    args = parser.parse_args()
    source_dir, rows = dataset(args.scale)
    print(f"{args.scale}: {rows:,} source rows")
    gx_import = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); "
                                "import great_expectations; print(time.perf_counter() - t)"],
                               capture_output=True, text=True, check=True).stdout.split()[-1]
    print(f"import great_expectations: {float(gx_import):.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "warehouse.duckdb"
        settings = Settings.from_env({"KPI_WAREHOUSE": str(warehouse)})
        with contextlib.closing(duckdb.connect(str(warehouse))) as con:
            for source in SOURCES:
                load(con, source, locate(source_dir, source))
        print(f"dbt parse: {timed(lambda: run_dbt(['parse', '--quiet'], settings)):.1f} s")
        for label, seconds in gx_result_formats(warehouse).items():
            print(f"GX suites raw.timesheets + raw.usage_events, {label}: {seconds:.1f} s")
        for threads in (2, 4):
            build = ["build", "--quiet", "--exclude-resource-type", "unit_test", "--threads", str(threads)]
            print(f"dbt build, {threads} threads: {timed(lambda b=build: run_dbt(b, settings)):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
