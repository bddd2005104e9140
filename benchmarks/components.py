"""Component timings behind the choices in docs/benchmarks.md, on one cached scale.

    python -m benchmarks.components --scale large

Prints what each tuning choice saves, measured side by side in one invocation:
- the start-up costs: importing Great Expectations, `dbt --version` (which dagster-dbt runs
  before every dbt command, and ProjectDbtCliResource skips), a full `dbt parse`;
- `dbt build` reusing the parse (prepare.py keeps it current) and after a parse made for
  another warehouse path (dbt then parses the whole project again);
- the GX suites of the two biggest source files with their SQL rules run by GX's own
  UnexpectedRowsExpectation (count, then rows) and by expect_query_to_return_no_rows (count);
- `dbt build` with 1, 2 and 3 threads.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from benchmarks.refresh import dataset, timed
from dagster_project.config import Settings
from dagster_project.contract import SOURCES
from dagster_project.dbt_runner import DBT_EXECUTABLE, run_dbt
from dagster_project.ingest import load, locate
from dagster_project.validation.suites import SQL_RULE_TYPE, load_suite

BUILD = ["build", "--quiet", "--exclude-resource-type", "unit_test"]


def in_fresh_process(statement: str) -> float:
    """Seconds ``statement`` takes in a new interpreter (imports are not cached in this one)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split()[-1])


def sql_rule_types(warehouse: Path) -> dict[str, float]:
    import great_expectations  # noqa: F401  (imported before the clock: its cost is printed apart)

    from dagster_project.validation.runner import validate

    suites = [load_suite("raw.timesheets"), load_suite("raw.usage_events")]
    seconds = {}
    for label, kind in (("GX UnexpectedRowsExpectation", "unexpected_rows_expectation"),
                        ("expect_query_to_return_no_rows", SQL_RULE_TYPE)):
        for suite in suites:
            for expectation in suite["expectations"]:
                if expectation["type"] in (SQL_RULE_TYPE, "unexpected_rows_expectation"):
                    expectation["type"] = kind
        seconds[label] = timed(lambda: validate(warehouse, suites))
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("demo", "medium", "large"), default="large")
    args = parser.parse_args()
    source_dir, rows = dataset(args.scale)
    print(f"{args.scale}: {rows:,} source rows")
    print(f"import great_expectations: {in_fresh_process('import great_expectations'):.1f} s")
    version = f"import subprocess; subprocess.run([{DBT_EXECUTABLE!r}, '--version'], capture_output=True)"
    print(f"dbt --version: {in_fresh_process(version):.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "warehouse.duckdb"
        settings = Settings.from_env({"KPI_WAREHOUSE": str(warehouse)})
        elsewhere = Settings.from_env({"KPI_WAREHOUSE": str(Path(tmp) / "elsewhere.duckdb")})
        with contextlib.closing(duckdb.connect(str(warehouse))) as con:
            for source in SOURCES:
                load(con, source, locate(source_dir, source))
        print(f"dbt parse: {timed(lambda: run_dbt(['parse', '--quiet'], settings)):.1f} s")
        print(f"dbt build, parse reused: {timed(lambda: run_dbt(BUILD, settings)):.1f} s")
        run_dbt(["parse", "--quiet"], elsewhere)
        print(f"dbt build, after a parse for another warehouse: {timed(lambda: run_dbt(BUILD, settings)):.1f} s")
        for label, seconds in sql_rule_types(warehouse).items():
            print(f"GX suites raw.timesheets + raw.usage_events, SQL rules by {label}: {seconds:.1f} s")
        for threads in (1, 2, 3):
            build = [*BUILD, "--threads", str(threads)]
            print(f"dbt build, {threads} threads: {timed(lambda b=build: run_dbt(b, settings)):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
