"""Blocking Great Expectations checks: one per source file and one per published table.

Each check validates its table with the suite of ``expectations/`` inside DuckDB. A failed
critical expectation fails the check with ERROR severity, which stops everything downstream
(dbt after a source, publishing after a mart); failed warnings give a WARN result and the run
goes on. The metadata lists every failed expectation with its count and sample keys.
"""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.contract import SOURCES
from dagster_project.defs.resources import Publication
from dagster_project.publish import data_docs_dir
from dagster_project.validation.rules import MARTS

SAMPLES_SHOWN = 3


def _report(failures) -> str:
    lines = ["| severity | rule | offending rows | sample keys |", "|---|---|---|---|"]
    for f in failures:
        sample = "; ".join(", ".join(f"{k}={v}" for k, v in s.items()) for s in f.samples[:SAMPLES_SHOWN])
        count = "error: " + f.error if f.error else str(f.unexpected_count)
        lines.append(f"| {f.severity} | {f.rule} | {count} | {sample} |")
    return "\n".join(lines)


def check_result(result, data_docs: Path) -> dg.AssetCheckResult:
    """Map a suite result to Dagster: critical failures -> ERROR (blocking), warnings -> WARN."""
    severity = dg.AssetCheckSeverity.ERROR if result.critical_failures else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
        passed=not result.failures,
        severity=severity,
        metadata={
            "suite": result.suite,
            "evaluated_expectations": result.evaluated,
            "critical_failures": len(result.critical_failures),
            "warnings": len(result.failures) - len(result.critical_failures),
            "seconds": round(result.seconds, 2),
            "data_docs": dg.MetadataValue.path(str(data_docs)),
            "failed_expectations": dg.MetadataValue.md(_report(result.failures) if result.failures else "none"),
        },
    )


def build_gx_check(suite_name: str, asset_key: dg.AssetKey, description: str,
                   bound_rows: bool) -> dg.AssetChecksDefinition:
    """A blocking check running the GX suite ``expectations/<suite_name>.json`` on ``asset_key``."""

    @dg.asset_check(asset=asset_key, name="gx_suite", blocking=True, description=description)
    def _check(warehouse: DuckDBResource, publication: Publication) -> dg.AssetCheckResult:
        from dagster_project.validation.runner import row_count_bound, validate
        from dagster_project.validation.suites import load_suite

        suite = load_suite(suite_name)
        if bound_rows:
            table = suite_name.split(".")[1]
            bound = row_count_bound(publication.previous_row_count(table), publication.max_table_shrink)
            suite["expectations"] += [bound] if bound else []
        docs_dir = data_docs_dir(Path(warehouse.database))
        [result] = validate(Path(warehouse.database), [suite], docs_dir)
        return check_result(result, docs_dir / f"{suite_name}.html")

    return _check


SOURCE_CHECKS = [
    build_gx_check(f"raw.{s.name}", dg.AssetKey(["raw", s.name]),
                   f"Great Expectations suite raw.{s.name}: every Error (blocking) and Warning rule of "
                   f"spec/sources.md for {s.relative_stem}.", bound_rows=False)
    for s in SOURCES
]
MART_CHECKS = [
    build_gx_check(f"marts.{m.name}", dg.AssetKey(["marts", m.name]),
                   f"Great Expectations suite marts.{m.name}: grain, required columns, rates, enums, "
                   f"identities, and no shrink beyond KPI_MAX_TABLE_SHRINK since the last publication.",
                   bound_rows=True)
    for m in MARTS
]
