"""Ingestion: exact row counts through the Dagster assets, and fatal errors that say where."""

from __future__ import annotations

import csv
import gzip
import hashlib
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from dagster_project.contract import SOURCES, SOURCES_BY_NAME
from dagster_project.defs.raw_assets import RAW_ASSETS
from dagster_project.defs.resources import Engine, SourceDirectory
from dagster_project.ingest import SourceFileError, load, locate


def csv_rows(path: Path) -> int:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def materialize_raw(source_dir: Path, warehouse: Path, raise_on_error: bool = True):
    return dg.materialize(
        RAW_ASSETS,
        resources={"warehouse": DuckDBResource(database=str(warehouse)),
                   "sources": SourceDirectory(path=str(source_dir)),
                   "engine": Engine(name="duckdb", landing_dir=str(warehouse.parent / "landing"),
                                    spark_dir=str(warehouse.parent / "spark"))},
        raise_on_error=raise_on_error,
    )


def test_ingesting_the_demo_loads_every_row(demo_dir, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    result = materialize_raw(demo_dir, warehouse)
    assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for source in SOURCES:
            expected = csv_rows(locate(demo_dir, source))
            [(loaded,)] = con.execute(f"select count(*) from raw.{source.name}").fetchall()
            assert loaded == expected > 0, source.name
    recorded = {m.asset_key.path[-1]: m.metadata["dagster/row_count"].value
                for m in result.get_asset_materialization_events() for m in [m.materialization]}
    assert recorded == {s.name: csv_rows(locate(demo_dir, s)) for s in SOURCES}


def test_materialization_records_checksum_and_preview(demo_dir, tmp_path):
    result = materialize_raw(demo_dir, tmp_path / "w.duckdb")
    [hubs] = [e.materialization for e in result.get_asset_materialization_events()
              if e.materialization.asset_key.path == ["raw", "hubs"]]
    assert hubs.metadata["sha256"].value == hashlib.sha256((demo_dir / "hr/hubs.csv").read_bytes()).hexdigest()
    assert "H001" in hubs.metadata["preview"].value


# -- format latitude the contract allows ---------------------------------------------------

def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


HUBS_HEADER = "hub_id,hub_name,site,opened_on,closed_on,critical_mass_target"


def load_hubs(path: Path):
    con = duckdb.connect()
    result = load(con, SOURCES_BY_NAME["hubs"], path)
    return result, con.execute("select * from raw.hubs order by hub_id").fetchall()


def test_bom_crlf_gzip_free_order_and_extra_columns(tmp_path):
    text = "\ufeffhub_name,hub_id,extra,opened_on,site,closed_on,critical_mass_target\r\n" \
           "Paris,H1,x,2024-01-31,,,\r\n\"Lyon, Part-Dieu\",H2,y,2024-02-29,Lyon,2025-01-01,25\r\n"
    plain = write(tmp_path / "hr" / "hubs.csv", text)
    result, rows = load_hubs(plain)
    assert result.extra_columns == ("extra",)
    assert rows[0][:2] == ("H1", "Paris") and rows[0][2] is None and rows[0][5] is None
    assert rows[1][1] == "Lyon, Part-Dieu" and rows[1][5] == 25
    zipped = tmp_path / "gz" / "hr" / "hubs.csv.gz"
    zipped.parent.mkdir(parents=True)
    zipped.write_bytes(gzip.compress(text.encode("utf-8")))
    assert locate(tmp_path / "gz", SOURCES_BY_NAME["hubs"]) == zipped
    assert load_hubs(zipped)[1] == rows


# -- the fatal matrix ------------------------------------------------------------------------

FATAL_CASES = {
    # case: (file, text or None, expected line, column, value)
    "impossible date": ("hr/hubs.csv", f"{HUBS_HEADER}\nH1,Paris,,2024-01-01,,\nH2,Lyon,,2024-02-30,,\n",
                        3, "opened_on", "2024-02-30"),
    "day-first date": ("hr/hubs.csv", f"{HUBS_HEADER}\nH1,Paris,,31/01/2024,,\n", 2, "opened_on", "31/01/2024"),
    "thousands separator": ("costs/budgets.csv", 'hub_id,year,budget_eur\nH1,2024,100.00\nH1,2025,"1,200.50"\n',
                            3, "budget_eur", "1,200.50"),
    "currency symbol": ("costs/budgets.csv", "hub_id,year,budget_eur\nH1,2024,€12\n", 2, "budget_eur", "€12"),
    "not a boolean": ("hr/employment_events.csv",
                      "event_id,employee_id,event_type,effective_date,hub_id,role,fte,exit_type,is_regretted,requisition_id\n"
                      "V1,E1,EXIT,2024-01-01,,,,VOLUNTARY,yes please,\n", 2, "is_regretted", "yes please"),
    "month not YYYY-MM": ("costs/fx_rates.csv", "period_month,currency,rate_to_eur\n2024-01,USD,0.9\n2024-13,USD,0.9\n",
                          3, "period_month", "2024-13"),
    "latin-1 bytes": ("hr/hubs.csv", f"{HUBS_HEADER}\nH1,Paris,,2024-01-01,,\nH2,Besançon,,2024-01-01,,\n",
                      3, "hub_name", "Besan\xe7on"),  # shown as its latin-1 reading
}


@pytest.mark.parametrize("case", sorted(FATAL_CASES))
def test_malformed_value_names_file_line_column_and_value(case, tmp_path):
    relative, text, line, column, value = FATAL_CASES[case]
    encoding = "latin-1" if case == "latin-1 bytes" else "utf-8"
    path = write(tmp_path / relative, text, encoding)
    source = SOURCES_BY_NAME[Path(relative).name.removesuffix(".csv")]
    with pytest.raises(SourceFileError) as caught:
        load(duckdb.connect(), source, path)
    error = caught.value
    assert (error.file, error.line, error.column) == (str(path), line, column)
    assert error.value == value
    message = str(error)
    assert str(path) in message and f"line {line}" in message and repr(column) in message


def test_missing_required_column(tmp_path):
    path = write(tmp_path / "hr/hubs.csv", "hub_id,hub_name,site,closed_on,critical_mass_target\nH1,P,,,\n")
    with pytest.raises(SourceFileError, match=r"line 1, column 'opened_on'.*missing") as caught:
        load(duckdb.connect(), SOURCES_BY_NAME["hubs"], path)
    assert caught.value.file == str(path)


def test_empty_file(tmp_path):
    path = write(tmp_path / "hr/hubs.csv", "")
    with pytest.raises(SourceFileError, match="empty") as caught:
        load(duckdb.connect(), SOURCES_BY_NAME["hubs"], path)
    assert (caught.value.file, caught.value.line) == (str(path), 1)


def test_row_with_missing_fields(tmp_path):
    path = write(tmp_path / "hr/hubs.csv", f"{HUBS_HEADER}\nH1,Paris,,2024-01-01,,\nH2,Lyon\n")
    with pytest.raises(SourceFileError, match="2 fields, the header has 6") as caught:
        load(duckdb.connect(), SOURCES_BY_NAME["hubs"], path)
    assert (caught.value.line, caught.value.value) == (3, "H2,Lyon")


def test_missing_file_and_missing_folder(source_copy):
    (source_copy / "costs" / "budgets.csv").unlink()
    with pytest.raises(SourceFileError, match=r"budgets.csv.*missing"):
        locate(source_copy, SOURCES_BY_NAME["budgets"])
    shutil.rmtree(source_copy / "hr")
    with pytest.raises(SourceFileError, match="hr: source folder is missing"):
        locate(source_copy, SOURCES_BY_NAME["hubs"])


def test_fatal_error_fails_the_asset_with_location_metadata(source_copy, tmp_path):
    path = source_copy / "costs" / "fx_rates.csv"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0] + ",0.9x"
    path.write_text("\n".join(lines) + "\n")
    result = materialize_raw(source_copy, tmp_path / "w.duckdb", raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "raw__fx_rates"
    message = failure.step_failure_data.user_failure_data.description
    assert f"file {path}, line 6, column 'rate_to_eur', value '0.9x'" in message
