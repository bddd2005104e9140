"""Issue 17's input cases, one test each: bad sources and settings stop with a message that says
where and why, and nothing they would have published is published.

Ingestion and settings are tested directly where that proves the point (each case in its own
tmp directories); real runs where the issue's symptom was in the published output (paths that
need quoting, the shrink guard, as_of_date, byte-identical publications).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.config import PROJECT_ROOT, ConfigError, Settings
from dagster_project.contract import SOURCES_BY_NAME
from dagster_project.ingest import SourceFileError, load, locate
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import publish, read_manifest
from tests.conftest import run_pipeline

# -- sources: fatal at ingestion, with file, line, column and value ------------------------------

# case: (source, data line to change (2 = first data row), column, bad value, problem)
BAD_VALUES = {
    "cost line dated 9999-12-31": ("cost_lines", 4, "posting_date", "9999-12-31", "outside 1970-01-01..2099-12-31"),
    "hub opened 0001-01-01": ("hubs", 2, "opened_on", "0001-01-01", "outside 1970-01-01..2099-12-31"),
    "hub closed 2100-01-01": ("hubs", 3, "closed_on", "2100-01-01", "outside 1970-01-01..2099-12-31"),
    "fx month 1969-12": ("fx_rates", 3, "period_month", "1969-12", "outside 1970-01-01..2099-12-31"),
    "NUL byte in a solution name": ("solutions", 3, "solution_name", "Energy\x00Demand", "control character"),
    "tab in a hub name": ("hubs", 2, "hub_name", "Paris\tHub", "control character"),
    "line feed in a quoted solution name": ("solutions", 2, "solution_name", "two\nlines", "control character"),
    "boolean 'yes'": ("employment_events", 2, "is_regretted", "yes", "true or false"),
    "boolean 'TRUE'": ("employment_events", 2, "is_regretted", "TRUE", "true or false"),
    "integer 1.5": ("solutions", 2, "target_users", "1.5", "whole number"),
    "integer 0x10": ("solutions", 2, "target_users", "0x10", "whole number"),
    "fte nan": ("employment_events", 3, "fte", "nan", "decimal number"),
    "amount 1e3": ("cost_lines", 2, "amount", "1e3", "decimal number"),
    "budget 1_000": ("budgets", 2, "budget_eur", "1_000", "decimal number"),
    "date 2024-1-5": ("hubs", 2, "opened_on", "2024-1-5", "YYYY-MM-DD"),
    "date with a space": ("hubs", 2, "opened_on", " 2024-01-05", "YYYY-MM-DD"),
}


def rewrite(path: Path, line: int, column: str, value: str) -> None:
    """Put ``value`` in ``column`` of the record on ``line`` (the demo's records are one line each)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


def table_digest(con: duckdb.DuckDBPyConnection, table: str) -> tuple:
    return con.execute(f"select count(*), sum(hash(t)) from raw.{table} t").fetchone()


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_bad_source_value_is_fatal_and_the_loaded_table_stays(case, demo_dir, tmp_path):
    name, line, column, value, problem = BAD_VALUES[case]
    source = SOURCES_BY_NAME[name]
    sources = tmp_path / "sources"
    shutil.copytree(demo_dir / source.system, sources / source.system)
    path = locate(sources, source)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    load(con, source, path)  # yesterday's good file
    before = table_digest(con, name)
    rewrite(path, line, column, value)
    with pytest.raises(SourceFileError) as caught:
        load(con, source, path)
    error = caught.value
    assert (error.file, error.line, error.column, error.value) == (str(path), line, column, value)
    assert problem in error.problem
    assert f"file {path}, line {line}, column {column!r}, value {value!r}" in str(error)
    assert table_digest(con, name) == before  # the failed load changed nothing


# case: (text appended to hubs.csv, the line DuckDB names, DuckDB's reason in the message)
UNREADABLE = {
    "3 MB field": ("H9,Big,{},2024-01-01,,\n".format("x" * 3_000_000), "Maximum line size of 2000000 bytes"),
    "unterminated quote": ('H9,"Lyon,,2024-01-01,,\nH10,Nice,,2024-01-01,,\n', "unterminated quote"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_csv_keeps_duckdbs_reason(case, tmp_path):
    text, reason = UNREADABLE[case]
    path = tmp_path / "hr" / "hubs.csv"
    path.parent.mkdir()
    path.write_text("hub_id,hub_name,site,opened_on,closed_on,critical_mass_target\n"
                    "H1,Paris,,2024-01-01,,\nH2,Lyon,,2024-01-01,,\n" + text, encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        load(duckdb.connect(), SOURCES_BY_NAME["hubs"], path)
    error = caught.value
    assert error.file == str(path) and error.line == 4
    assert reason in error.problem, error.problem
    assert error.value.startswith("H9,") and len(error.value) < 300  # the line, shortened
    assert "CSV Error on Line" not in error.problem


def test_requisition_on_an_exit_is_a_blocking_rule(demo_raw):
    from dagster_project.validation.rules import SOURCE_RULES

    [rule] = [r for r in SOURCE_RULES["employment_events"] if getattr(r, "name", "") == "requisition_only_on_hire"]
    query = rule.query.replace("{batch}", "bad")
    demo_raw.execute("create or replace temp table bad as select * from raw.employment_events")
    assert demo_raw.execute(f"select count(*) from ({query})").fetchone()[0] == 0  # the demo is clean
    demo_raw.execute("update bad set requisition_id = 'R000001' where event_type = 'EXIT' and rowid = "
                     "(select min(rowid) from bad where event_type = 'EXIT')")
    assert demo_raw.execute(f"select count(*) from ({query})").fetchone()[0] == 1
    assert rule.severity == "critical"


# -- settings: every parameter range-checked at start, with its name ---------------------------

SETTINGS = {
    "adoption threshold nan": ({"KPI_ADOPTION_THRESHOLD": "nan"},
                               "KPI_ADOPTION_THRESHOLD='nan' must be between 0 and 1"),
    "share above 1": ({"KPI_MIN_FAMILY_SHARE": "1.5"}, "KPI_MIN_FAMILY_SHARE='1.5' must be between 0 and 1"),
    "ratio inf": ({"KPI_CRITICAL_MASS_AT_RISK_RATIO": "inf"}, "KPI_CRITICAL_MASS_AT_RISK_RATIO='inf' must be"),
    "99,999,999-day window": ({"KPI_INDUSTRIALIZATION_WINDOW_DAYS": "99999999"},
                              "KPI_INDUSTRIALIZATION_WINDOW_DAYS='99999999' must be between 1 and 3650"),
    "as_of_date 2026W011": ({"KPI_AS_OF_DATE": "2026W011"}, "KPI_AS_OF_DATE='2026W011' is not a YYYY-MM-DD date"),
    "as_of_date 20261231": ({"KPI_AS_OF_DATE": "20241231"}, "KPI_AS_OF_DATE='20241231' is not a YYYY-MM-DD date"),
    "as_of_date 2031-12-31": ({"KPI_AS_OF_DATE": "2031-12-31"}, "KPI_AS_OF_DATE='2031-12-31' is after today"),
    "time zone Mars/Olympus": ({"KPI_SCHEDULE_TIMEZONE": "Mars/Olympus"},
                               "KPI_SCHEDULE_TIMEZONE='Mars/Olympus' is not an IANA time zone"),
    "warehouse file name with ;": ({"KPI_WAREHOUSE": "/tmp/w;1.duckdb"},
                                   "KPI_WAREHOUSE='/tmp/w;1.duckdb': dbt-duckdb cannot open"),
    "max shrink nan": ({"KPI_MAX_TABLE_SHRINK": "nan"}, "KPI_MAX_TABLE_SHRINK='nan' must be a share between 0 and 1"),
}


@pytest.mark.parametrize("case", sorted(SETTINGS))
def test_bad_setting_is_refused_with_its_name(case):
    env, message = SETTINGS[case]
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert message in str(caught.value)


@pytest.mark.parametrize("parameters, as_of_date, message", [
    ({"adoption_threshold": float("nan")}, None, "adoption_threshold=nan must be between 0 and 1"),
    ({"industrialization_window_days": 99_999_999}, None, "industrialization_window_days=99999999 must be"),
    ({}, "2026W011", "as_of_date='2026W011' is not a YYYY-MM-DD date"),
    ({}, "2031-12-31", "as_of_date='2031-12-31' is after today"),
])
def test_bad_run_config_is_refused_with_its_name(parameters, as_of_date, message):
    """The same ranges for one run's config (the launchpad) as for the environment."""
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({}).with_run_parameters(parameters, as_of_date)
    assert message in str(caught.value)


def test_make_run_stops_at_start_naming_the_variable(tmp_path):
    """The issue's symptom was dbt failing deep inside (`Referenced column "NaN" not found`)."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home)
    env = {**os.environ, "DAGSTER_HOME": str(home), "KPI_ADOPTION_THRESHOLD": "nan",
           "KPI_WAREHOUSE": str(tmp_path / "w.duckdb"), "KPI_PUBLISH_DIR": str(tmp_path / "published")}
    done = subprocess.run([sys.executable, "-m", "dagster_project.run"], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=170)
    assert done.returncode != 0
    assert "KPI_ADOPTION_THRESHOLD='nan' must be between 0 and 1" in done.stdout + done.stderr
    assert "NaN" not in done.stdout + done.stderr
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / "published").exists()


# -- real runs ----------------------------------------------------------------------------------

def file_digests(release: Path) -> dict[str, str]:
    return {str(p.relative_to(release)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((release / "parquet").glob("*.parquet"))}


def test_same_sources_publish_byte_identical_parquet(dbt_manifest, demo_dir, tmp_path):
    """Two runs (own warehouses, own publish directories) on the same sources and parameters."""
    releases = []
    for run in ("first", "second"):
        root = tmp_path / run
        result = run_pipeline(demo_dir, root / "warehouse.duckdb", publish_dir=root / "published",
                              KPI_AS_OF_DATE="2026-09-30")
        assert result.success
        releases.append((root / "published").resolve())
    first, second = (file_digests(r) for r in releases)
    assert len(first) == 13 and first == second
    manifests = [read_manifest(r) for r in releases]
    assert manifests[0]["sources"] == manifests[1]["sources"]
    for source in manifests[0]["sources"]:
        assert set(source) == {"name", "row_count", "sha256"}
        assert not Path(source["name"]).is_absolute()
        assert hashlib.sha256((demo_dir / source["name"]).read_bytes()).hexdigest() == source["sha256"]


def test_paths_that_need_quoting_ingest_validate_and_publish(dbt_manifest, demo_dir, tmp_path):
    """A source dir, warehouse and publish dir holding ', ", spaces, ; and non-ASCII."""
    odd = tmp_path / "o'brien \"q\"; ü"
    shutil.copytree(demo_dir, odd / "src")
    # a ';' in the warehouse's own file name is refused at start (dbt-duckdb reads it as a URL)
    result = run_pipeline(odd / "src", odd / "warehouse.duckdb", publish_dir=odd / "pub lished")
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    checks = result.get_asset_check_evaluations()
    assert len(checks) > 11 and not [c for c in checks if not c.passed and c.severity.value == "ERROR"]
    assert len(file_digests((odd / "pub lished").resolve())) == 13


def test_future_dated_line_does_not_move_as_of_date(dbt_manifest, source_copy, tmp_path):
    """A cost line posted 2099-12-31 (in range, so loaded): scheduled, not realised."""
    lines = source_copy / "costs" / "cost_lines.csv"
    with lines.open("a", encoding="utf-8") as fh:
        fh.write("GL99999999,2099-12-31,H001,,CLOUD,USAGE,100.00,EUR\n")
    result = run_pipeline(source_copy, tmp_path / "w.duckdb", publish_dir=tmp_path / "published")
    assert result.success
    manifest = read_manifest(tmp_path / "published")
    assert manifest["as_of_date"] == "2026-09-30"  # the demo's own, as without the line
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        [(last,)] = con.execute("select max(month) from marts.hub_costs").fetchall()
    assert str(last) == "2026-09-01"


def test_shrink_guard_says_how_to_accept_a_correction(dbt_manifest, source_copy, tmp_path):
    """A hub opened decades too early was published (1970: in range, so it loads); the corrected
    date shrinks the hub tables, the guard blocks saying how to accept it, and the hint works."""
    hubs = source_copy / "hr" / "hubs.csv"
    original = hubs.read_text(encoding="utf-8")
    rewrite(hubs, 2, "opened_on", "1970-01-01")
    publish_dir, warehouse = tmp_path / "published", tmp_path / "w.duckdb"
    # the inflated publication only sets the scene: ingestion and dbt (its tests included), then
    # the publication's own writer; no GX gate nor report, as the guard reads only its row counts
    assert run_pipeline(source_copy, warehouse).success
    publish(warehouse, publish_dir, PUBLISHED_TABLES, {"run_id": "inflated"}, "inflated")
    inflated = read_manifest(publish_dir)["tables"]["hub_critical_mass"]["row_count"]

    hubs.write_text(original, encoding="utf-8")
    blocked = run_pipeline(source_copy, warehouse, publish_dir=publish_dir)
    assert not blocked.success
    [guard] = [c for c in blocked.get_asset_check_evaluations()
               if not c.passed and c.asset_key.path[-1] == "hub_critical_mass"]
    report = guard.metadata["failed_expectations"].value
    assert "row_count_vs_previous_publication" in report and "KPI_MAX_TABLE_SHRINK=1 make run" in report
    assert read_manifest(publish_dir)["tables"]["hub_critical_mass"]["row_count"] == inflated

    accepted = run_pipeline(source_copy, warehouse, publish_dir=publish_dir, KPI_MAX_TABLE_SHRINK="1")
    assert accepted.success
    assert read_manifest(publish_dir)["tables"]["hub_critical_mass"]["row_count"] < inflated / 2


# -- the control-character scan -------------------------------------------------------------------

def test_clean_demo_files_never_take_the_slow_path(demo_dir, demo_raw):
    """The per-field search runs only when the byte scan says so: never on the demo's files."""
    from dagster_project.contract import SOURCES
    from dagster_project.file_scan import scan

    for source in SOURCES:
        path = locate(demo_dir, source)
        file = scan(path)
        rows = demo_raw.execute(f"select count(*) from raw.{source.name}").fetchone()[0]
        assert file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert not file.may_hold_control(rows), source.name


@pytest.mark.parametrize("data, lines, control", [
    (b"a,b\r\n1,x\r\n", 2, False),  # CRLF line ends are no control characters
    (b"a,b\n1,x", 2, False),  # a last line without line feed still counts
    (b"a,b\n1,x\ry\n", 2, True),  # a carriage return alone
    (b"a,b\n1,x\x00\n", 2, True),
    (b"a,b\n1,\x1f\n", 2, True),
])
def test_scan_finds_control_bytes_in_plain_and_gzip_files(data, lines, control, tmp_path):
    import gzip

    from dagster_project.file_scan import scan

    plain, zipped = tmp_path / "f.csv", tmp_path / "f.csv.gz"
    plain.write_bytes(data)
    half = len(data) // 2  # two gzip members, split mid-file
    zipped.write_bytes(gzip.compress(data[:half]) + gzip.compress(data[half:]))
    for path in (plain, zipped):
        file = scan(path)
        assert (file.lines, file.has_control) == (lines, control), path.name
        assert file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_line_feed_in_a_gzip_file_is_found_on_its_line(tmp_path):
    import gzip

    path = tmp_path / "hr" / "hubs.csv.gz"
    path.parent.mkdir()
    path.write_bytes(gzip.compress(b"hub_id,hub_name,site,opened_on,closed_on,critical_mass_target\n"
                                   b"H1,Paris,,2024-01-01,,\nH2,\"Ly\non\",,2024-01-01,,\n"))
    with pytest.raises(SourceFileError) as caught:
        load(duckdb.connect(), SOURCES_BY_NAME["hubs"], path)
    assert (caught.value.line, caught.value.column, caught.value.value) == (3, "hub_name", "Ly\non")
