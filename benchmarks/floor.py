"""Baseline (a), the DuckDB floor: the same work as plain DuckDB SQL in one process.

Reads the CSVs with the ingestion's own ``read_csv`` SQL, runs the compiled SQL of every dbt
model in dependency order, and runs the same validation queries as the GX suites (column
expectations as their SQL equivalent, SQL rules as they are).
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import duckdb

from dagster_project.config import Settings
from dagster_project.contract import SOURCES
from dagster_project.dbt_runner import DBT_TARGET_DIR, run_dbt
from dagster_project.ingest import locate, read_csv_sql, read_header, typed_select
from dagster_project.validation.suites import SQL_RULE_TYPE, all_suites

FLOOR_TARGET = DBT_TARGET_DIR / "floor"


def compile_project(database: Path) -> dict:
    """``dbt compile`` against ``database`` (relations are qualified with its name); the nodes."""
    settings = Settings.from_env({"KPI_WAREHOUSE": str(database)})
    run_dbt(["compile", "--quiet", "--exclude", "test_type:unit", "--target-path", str(FLOOR_TARGET)],
            settings)
    return json.loads((FLOOR_TARGET / "manifest.json").read_text())["nodes"]


def compiled_tests(nodes: dict) -> list[str]:
    """The compiled SQL of every dbt data test."""
    return [n["compiled_code"] for n in nodes.values() if n["resource_type"] == "test"]


def compiled_models(nodes: dict) -> list[tuple[str, str, str, str, str]]:
    """(schema, name, materialization, language, compiled code) of every model, dependencies first."""
    models = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model"}
    ordered, seen = [], set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for parent in models[uid]["depends_on"]["nodes"]:
            if parent in models:
                visit(parent)
        ordered.append(uid)

    for uid in sorted(models):
        visit(uid)
    return [(models[u]["schema"], models[u]["name"], models[u]["config"]["materialized"], models[u]["language"],
             models[u]["compiled_code"]) for u in ordered]


def run_python_model(con: duckdb.DuckDBPyConnection, schema: str, name: str, code: str) -> None:
    """A dbt Python model as dbt-duckdb runs it: its compiled module's ``model(dbt, session)``,
    refs read from this connection, the returned frame stored as a table."""
    namespace: dict = {}
    exec(compile(code, name, "exec"), namespace)  # the project's own compiled model
    frame = namespace["model"](namespace["dbtObj"](lambda relation: con.sql(f"select * from {relation}")), con)
    con.register("python_model_result", frame)
    con.execute(f"create or replace table {schema}.{name} as select * from python_model_result")
    con.unregister("python_model_result")


def _expectation_sql(table: str, expectation: dict) -> str:
    kind, kw = expectation["type"], expectation["kwargs"]
    if kind == SQL_RULE_TYPE:
        return f"select count(*) from ({kw['unexpected_rows_query'].replace('{batch}', table)})"
    if kind == "expect_column_values_to_not_be_null":
        return f"select count(*) from {table} where {kw['column']} is null"
    if kind == "expect_column_values_to_be_unique":
        return f"select count({kw['column']}) - count(distinct {kw['column']}) from {table}"
    if kind == "expect_column_values_to_be_in_set":
        values = ", ".join("'" + v + "'" for v in kw["value_set"])
        return f"select count(*) from {table} where {kw['column']} not in ({values})"
    if kind == "expect_column_values_to_be_between":
        low = (f"{kw['column']} {'<=' if kw.get('strict_min') else '<'} {kw['min_value']}" if "min_value" in kw
               else "false")
        high = (f"{kw['column']} {'>=' if kw.get('strict_max') else '>'} {kw['max_value']}" if "max_value" in kw
                else "false")
        return f"select count(*) from {table} where {low} or {high}"
    raise ValueError(kind)


def run_floor(source_dir: Path, database: Path) -> dict[str, float]:
    """Seconds per stage of the floor; ``database`` is created anew."""
    database.unlink(missing_ok=True)
    timings = {}
    suites = all_suites()
    duckdb.connect(str(database)).close()
    nodes = compile_project(database)  # not timed: the pipeline's own parse is in its wall time
    with contextlib.closing(duckdb.connect(str(database))) as con:
        start = time.perf_counter()
        con.execute("create schema raw")
        for source in SOURCES:
            path = locate(source_dir, source)
            con.execute(f"create table raw.{source.name} as select {typed_select(source)} "
                        f"from {read_csv_sql(read_header(path))}", [str(path)])
        timings["ingest"] = time.perf_counter() - start
        start = time.perf_counter()
        for suite in (s for name, s in suites.items() if name.startswith("raw.")):
            for expectation in suite["expectations"]:
                con.execute(_expectation_sql(suite["meta"]["table"], expectation)).fetchall()
        timings["source validation"] = time.perf_counter() - start
        start = time.perf_counter()
        for schema, name, materialized, language, code in compiled_models(nodes):
            con.execute(f"create schema if not exists {schema}")
            if language == "python":
                run_python_model(con, schema, name, code)
                continue
            kind = "view" if materialized == "view" else "table"
            con.execute(f"create or replace {kind} {schema}.{name} as {code}")
        for sql in compiled_tests(nodes):
            con.execute(f"select count(*) from ({sql})").fetchall()
        timings["dbt build"] = time.perf_counter() - start
        start = time.perf_counter()
        for suite in (s for name, s in suites.items() if name.startswith("marts.")):
            for expectation in suite["expectations"]:
                con.execute(_expectation_sql(suite["meta"]["table"], expectation)).fetchall()
        timings["KPI validation"] = time.perf_counter() - start
        start = time.perf_counter()
        out = database.parent / "floor_publication"
        out.mkdir(exist_ok=True)
        for suite in (s for name, s in suites.items() if name.startswith("marts.")):
            table = suite["meta"]["table"]
            con.execute(f"copy {table} to '{out / table}.parquet' (format parquet, compression zstd)")
        con.execute("checkpoint")  # durable, as the pipeline's connections are when they close
        timings["publish"] = time.perf_counter() - start
    return timings
