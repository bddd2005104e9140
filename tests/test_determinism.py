"""Same sources, same figures, to the last bit, whatever order DuckDB meets the rows in.

DuckDB sums in parallel: each thread folds the rows of its own chunks, and the partial sums are
combined in whatever order the threads finish. A DOUBLE sum then depends on that order in its
last bits, and a nightly publication flaps. On a small dataset the scheduling hardly varies, so
this test provokes the same thing deterministically: it builds every model twice, once on the
demo sources as loaded and once on the same rows stored in reverse order and with every hub_id
relabelled so that the hubs sort (and hash) the other way round: scans and joins then meet their
rows in another order, and so do the sums over hubs (e.g. the COMPANY rows of exit_reasons).
Exact arithmetic (DECIMAL money, integer head-days, division last) gives identical marts; an
order-dependent DOUBLE sum shows here (on the code before the fix: cost_per_solution,
hub_costs and exit_reasons).
"""

from __future__ import annotations

import contextlib

import duckdb

from dagster_project.config import Settings
from dagster_project.contract import SOURCES
from dagster_project.dbt_runner import run_dbt
from dagster_project.output_contract import PUBLISHED_TABLES
from tests.conftest import load_sources

AS_OF_DATE = "2024-12-31"
HUB_MAP = """create table main.hub_map as
    select hub_id, 'R' || lpad(cast(10000 - row_number() over (order by hub_id) as varchar), 5, '0') as new_id
    from raw.hubs"""


def relabelled_back(table: str, columns: list[str]) -> str:
    """The published table of the relabelled build with its hub ids as in the other build."""
    back = [f"coalesce((select hub_id from b.main.hub_map m where m.new_id = t.{c}), t.{c}) as {c}"
            for c in columns if c in ("hub_id", "scope")]
    if not back:
        return f"select * from b.marts.{table}"
    return f"select * replace ({', '.join(back)}) from b.marts.{table} as t"


def build(demo_dir, warehouse, reverse: bool) -> None:
    """dbt run on the demo sources, stored in reverse order and with relabelled hubs if ``reverse``."""
    with contextlib.closing(load_sources(demo_dir, str(warehouse))) as con:
        if reverse:
            con.execute(HUB_MAP)
            for source in SOURCES:
                table = f"raw.{source.name}"
                relabel = (" replace (coalesce((select new_id from main.hub_map m where m.hub_id = t.hub_id), "
                           "t.hub_id) as hub_id)") if "hub_id" in source.column_names else ""
                con.execute(f"create or replace table {table} as "
                            f"select *{relabel} from {table} as t order by rowid desc")
    settings = Settings.from_env({"KPI_WAREHOUSE": str(warehouse), "KPI_AS_OF_DATE": AS_OF_DATE})
    result = run_dbt(["run"], settings, check=False)
    assert result.returncode == 0, result.stdout[-3000:]


def test_marts_do_not_depend_on_row_order(dbt_manifest, demo_dir, tmp_path):
    as_loaded, reversed_ = tmp_path / "as_loaded.duckdb", tmp_path / "reversed.duckdb"
    build(demo_dir, as_loaded, reverse=False)
    build(demo_dir, reversed_, reverse=True)
    with contextlib.closing(duckdb.connect()) as con:
        con.execute(f"attach '{as_loaded}' as a (read_only)")
        con.execute(f"attach '{reversed_}' as b (read_only)")
        different = {}
        for table in PUBLISHED_TABLES:
            rows = con.execute(f"select count(*) from a.marts.{table.name}").fetchone()[0]
            assert rows > 0, table.name
            other = relabelled_back(table.name, list(table.column_names))
            changed = con.execute(  # both ways: a row missing on either side counts
                f"select (select count(*) from (select * from a.marts.{table.name} except all {other})) "
                f"+ (select count(*) from ({other} except all select * from a.marts.{table.name}))").fetchone()[0]
            if changed:
                different[table.name] = f"{changed} of {rows} rows"
    assert not different, f"figures depend on the order of the rows: {different}"
