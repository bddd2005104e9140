"""Blocking Great Expectations checks: one per source file and one per published table,
validated in one step (one GX context) per layer: ``gx_sources`` and ``gx_marts``.

Each check validates its table with the suite of ``expectations/`` where the engine keeps it:
inside DuckDB, or with ``KPI_ENGINE=spark`` through GX's Spark datasource on the landing zone and
on the tables dbt built in Spark (:mod:`dagster_project.validation.gx_spark`). A failed
critical expectation fails the check with ERROR severity, which stops everything downstream
(dbt after a source, publishing after a mart); failed warnings give a WARN result and the run
goes on. The metadata lists every failed expectation with its count and sample keys.
"""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.contract import SOURCES
from dagster_project.defs.raw_assets import raw_asset_key
from dagster_project.defs.resources import Engine, Publication
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import data_docs_dir, previous_row_count

SAMPLES_SHOWN = 3


def _report(failures) -> str:
    lines = ["| severity | rule | offending rows | sample keys |", "|---|---|---|---|"]
    for f in failures:
        sample = "; ".join(", ".join(f"{k}={v}" for k, v in s.items()) for s in f.samples[:SAMPLES_SHOWN])
        sample = sample or f.description  # a table-level rule (e.g. the shrink bound) says what it wants
        count = "error: " + f.error if f.error else str(f.unexpected_count)
        lines.append(f"| {f.severity} | {f.rule} | {count} | {sample} |")
    return "\n".join(lines)


def check_result(result, data_docs: Path, asset_key: dg.AssetKey, engine: str) -> dg.AssetCheckResult:
    """Map a suite result to Dagster: critical failures -> ERROR (blocking), warnings -> WARN;
    ``engine`` says where GX evaluated it (duckdb or spark)."""
    severity = dg.AssetCheckSeverity.ERROR if result.critical_failures else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name="gx_suite",
        passed=not result.failures,
        severity=severity,
        metadata={
            "suite": result.suite,
            "engine": engine,
            "evaluated_expectations": result.evaluated,
            "critical_failures": len(result.critical_failures),
            "warnings": len(result.failures) - len(result.critical_failures),
            "seconds": round(result.seconds, 2),
            "data_docs": dg.MetadataValue.path(str(data_docs)),
            "failed_expectations": dg.MetadataValue.md(_report(result.failures) if result.failures else "none"),
            "failures": dg.MetadataValue.json([{"rule": f.rule, "severity": f.severity, "count": f.unexpected_count}
                                               for f in result.failures]),
        },
    )


def describe_suite(suite: dict, extra: str = "") -> str:
    """The suite's rules in one line: how many, how many block, and each rule's description."""
    from dagster_project.validation.rules import CRITICAL

    rules = suite["expectations"]
    blocking = sum(1 for e in rules if e["severity"] == CRITICAL)
    listed = "; ".join(e["meta"]["description"] for e in rules)
    return (f"Great Expectations suite {suite['name']}, {len(rules)} rules ({blocking} blocking, "
            f"{len(rules) - blocking} warnings): {listed}{extra}.")


def _validate(engine: Engine, warehouse: Path, suites: list[dict], docs_dir: Path, run_id: str) -> list:
    """The suites validated on the run's engine: in the DuckDB warehouse, or in a local Spark
    session (on the sources this run validated: landed again where this run did not land them)."""
    if engine.is_spark:
        from dagster_project.landing import land_what_this_run_did_not
        from dagster_project.validation.gx_spark import validate_on_spark

        land_what_this_run_did_not(warehouse, Path(engine.landing_dir), run_id)
        return validate_on_spark(Path(engine.landing_dir), Path(engine.spark_dir), suites, docs_dir)
    from dagster_project.validation.runner import validate

    return validate(warehouse, suites, docs_dir)


def build_gx_checks(name: str, suites: dict[str, dg.AssetKey], extra: str,
                    bound_rows: bool) -> dg.AssetChecksDefinition:
    """One blocking ``gx_suite`` check per asset, all validated in one step and one GX context.

    ``suites`` maps a suite of ``expectations/`` to the asset it validates; each check's
    description lists the suite's rules, then ``extra``. With ``bound_rows``, each table also may
    not shrink beyond KPI_MAX_TABLE_SHRINK since the last publication.
    """
    from dagster_project.validation.suites import load_suite

    specs = [dg.AssetCheckSpec("gx_suite", asset=key, blocking=True,
                               description=describe_suite(load_suite(suite), extra))
             for suite, key in suites.items()]

    @dg.multi_asset_check(specs=specs, name=name, can_subset=True)
    def _checks(context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource, publication: Publication,
                engine: Engine):
        from dagster_project.validation.runner import row_count_bound
        from dagster_project.validation.suites import load_suite

        selected = {key for key in context.selected_asset_check_keys}
        wanted = [s for s, key in suites.items() if dg.AssetCheckKey(key, "gx_suite") in selected]
        loaded = [load_suite(s) for s in wanted]
        if bound_rows:
            for suite in loaded:
                table = suite["name"].split(".")[1]
                previous = previous_row_count(Path(publication.publish_dir), table)
                bound = row_count_bound(previous, publication.max_table_shrink)
                suite["expectations"] += [bound] if bound else []
        docs_dir = data_docs_dir(Path(warehouse.database))
        results = _validate(engine, Path(warehouse.database), loaded, docs_dir, context.run.run_id)
        for suite, result in zip(wanted, results, strict=True):
            yield check_result(result, docs_dir / f"{suite}.html", suites[suite], engine.name)

    return _checks


SOURCE_CHECKS = build_gx_checks(
    "gx_sources", {f"raw.{s.name}": raw_asset_key(s) for s in SOURCES},
    " (docs/sources.md)", bound_rows=False)
MART_CHECKS = build_gx_checks(
    "gx_marts", {f"marts.{t.name}": dg.AssetKey(["marts", t.name]) for t in PUBLISHED_TABLES},
    "; and no fewer rows than KPI_MAX_TABLE_SHRINK allows since the last publication", bound_rows=True)
