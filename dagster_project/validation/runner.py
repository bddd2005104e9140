"""Run GX suites against warehouse tables and report what failed, where, and how badly."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.sql import identifier
from dagster_project.validation.gx_duckdb import gx_warehouse
from dagster_project.validation.offline_docs import install_static, offline_page

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class Failure:
    rule: str
    expectation: str
    severity: str
    description: str
    unexpected_count: int | None
    samples: list[dict]
    error: str | None = None


@dataclass
class SuiteResult:
    suite: str
    table: str
    evaluated: int
    seconds: float
    failures: list[Failure] = field(default_factory=list)

    @property
    def critical_failures(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "critical"]

    @property
    def passed(self) -> bool:
        """No critical expectation failed (warnings do not block)."""
        return not self.critical_failures


def row_count_bound(previous_rows: int | None, max_shrink: float) -> dict | None:
    """The sanity bound on a published table: it may not shrink by more than ``max_shrink``."""
    if not previous_rows:
        return None
    minimum = int(previous_rows * (1 - max_shrink))
    return {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": minimum},
            "severity": "critical",
            "meta": {"rule": "row_count_vs_previous_publication",
                     "description": f"at least {minimum} rows: the last publication had {previous_rows}, "
                                    f"a shrink of more than {max_shrink:.0%} blocks; if the change is "
                                    f"intended, accept it for one run with KPI_MAX_TABLE_SHRINK=1 make run"}}


def _plain(value):
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


def _column_samples(result: dict, key: list[str]) -> list[dict]:
    if "partial_unexpected_index_list" in result:
        return [{k: _plain(row.get(k)) for k in key} for row in result["partial_unexpected_index_list"][:SAMPLE_ROWS]]
    return [{"value": _plain(v)} for v in result.get("partial_unexpected_list", [])[:SAMPLE_ROWS]]


def _query_samples(con: duckdb.DuckDBPyConnection, table: str, query: str) -> list[dict]:
    batch = ".".join(map(identifier, table.split(".")))
    cursor = con.execute(f"select * from ({query.replace('{batch}', batch)}) limit {SAMPLE_ROWS}")
    names = [d[0] for d in cursor.description]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def _raised(exception_info) -> str | None:
    """The first exception message GX recorded (top level or per metric), if any."""
    candidates = [exception_info] if isinstance(exception_info, dict) else []
    candidates += [v for v in (exception_info or {}).values() if isinstance(v, dict)]
    for info in candidates:
        if info.get("raised_exception"):
            return info.get("exception_message") or "expectation raised an exception"
    return None


def _failure(outcome, key: list[str]) -> tuple[Failure, str | None]:
    """The failure, and the SQL whose first rows are its samples (fetched once GX let go)."""
    config = outcome.expectation_config
    meta = config.meta or {}
    severity = getattr(config.severity, "value", config.severity) or "critical"
    if message := _raised(outcome.exception_info):
        return Failure(meta.get("rule", config.type), config.type, severity, meta.get("description", ""),
                       None, [], message.splitlines()[0][:300]), None
    result = outcome.result or {}
    count = result.get("unexpected_count", result.get("observed_value"))
    failure = Failure(meta.get("rule", config.type), config.type, severity, meta.get("description", ""),
                      count if isinstance(count, int) else None, _column_samples(result, key))
    return failure, config.kwargs.get("unexpected_rows_query")


def write_data_docs(outcome, path: Path) -> None:
    """The GX Data Docs page of one validation result (GX's own renderer and page view), made
    to render offline: its CSS, scripts and fonts are copied beside it (validation/offline_docs.py)."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    path.parent.mkdir(parents=True, exist_ok=True)
    install_static(path.parent)
    path.write_text(offline_page(DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(outcome))))


def validate_batch(batch, suite: dict, docs_dir: Path | None) -> tuple[SuiteResult, list]:
    """One suite on one GX batch (any datasource): the result, and each failure with the SQL of
    its sample rows (to be read once GX let go of the data)."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    import dagster_project.validation.query_expectation  # noqa: F401  (registers the SQL rule type)

    started = time.perf_counter()
    key = suite["meta"].get("primary_key", [])
    expectations = [ExpectationConfiguration(**e).to_domain_obj() for e in suite["expectations"]]
    outcome = batch.validate(
        gx.ExpectationSuite(name=suite["name"], expectations=expectations),
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS,
                       "unexpected_index_column_names": key},
    )
    if docs_dir is not None:
        write_data_docs(outcome, docs_dir / f"{suite['name']}.html")
    failures = [_failure(r, key) for r in outcome.results if not r.success]
    return SuiteResult(suite["name"], suite["meta"]["table"], len(outcome.results),
                       time.perf_counter() - started), failures


def validate(warehouse: Path, suites: list[dict], docs_dir: Path | None = None) -> list[SuiteResult]:
    """Validate each suite's table (``suite['meta']['table']``, schema.table) in one GX context.

    Sample rows of SQL rules are read afterwards: DuckDB refuses a second connection to the
    file while GX's read-only engine holds it. With ``docs_dir``, each suite's GX Data Docs page
    is written there as ``<suite>.html``.
    """
    results = []
    with gx_warehouse(warehouse) as source:
        for suite in suites:
            schema, table = suite["meta"]["table"].split(".")
            asset = source.add_table_asset(f"{schema}_{table}", table_name=table, schema_name=schema)
            batch = asset.add_batch_definition_whole_table("whole").get_batch()
            results.append(validate_batch(batch, suite, docs_dir))
    with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        for suite_result, failures in results:
            for failure, query in failures:
                if query:
                    failure.samples.extend(_query_samples(con, suite_result.table, query))
                suite_result.failures.append(failure)
    return [suite_result for suite_result, _ in results]
