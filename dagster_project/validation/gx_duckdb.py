"""Great Expectations 1.x on the DuckDB warehouse, through SQLAlchemy and duckdb-engine.

DuckDB is not a GX-supported dialect: GX fetches query results after closing the connection
and duckdb-engine drops unbuffered rows, so every expectation fails with an IndexError (GX
issues #10738 and #11579). :func:`buffer_query_results` makes GX buffer each result while the
connection is open; with it the expectations run as SQL inside DuckDB (no table is loaded
into pandas). tests/test_validation.py fails if a GX upgrade breaks this path.

GX keeps the DuckDB file open until its SQLAlchemy engines are disposed; :func:`gx_warehouse`
opens it read-only and disposes them on exit, so a check never holds the lock afterwards.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

_patched = False
SEARCH_PATH = "raw,marts,intermediate,staging,main"


def buffer_query_results() -> None:
    """Make GX's SQL engine fetch every result before it closes the connection (idempotent)."""
    global _patched
    if _patched:
        return
    from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    def execute_query(self, query):
        with self.get_connection() as connection:
            return self._execute_query_with_recovery(connection, query).freeze()()

    SqlAlchemyExecutionEngine.execute_query = execute_query
    event.listen(Pool, "connect", _set_search_path)
    _patched = True


def _set_search_path(dbapi_connection, _record) -> None:
    """Some GX metrics (column types) drop the schema: put the warehouse schemas on the path."""
    if not type(dbapi_connection).__module__.startswith("duckdb_engine"):
        return
    wanted = SEARCH_PATH.split(",")
    cursor = dbapi_connection.execute("select distinct schema_name from information_schema.schemata")
    existing = {row[0] for row in cursor.fetchall()}
    path = ",".join(schema for schema in wanted if schema in existing)
    dbapi_connection.execute("SET search_path = ?", [path])


@contextlib.contextmanager
def gx_warehouse(warehouse: Path) -> Iterator[object]:
    """An ephemeral GX context with the warehouse as a read-only SQL data source."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    buffer_query_results()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_sql(
        "warehouse", connection_string=f"duckdb:///{warehouse}",
        kwargs={"connect_args": {"read_only": True}})
    try:
        yield source
    finally:
        with contextlib.suppress(Exception):
            source.get_execution_engine().engine.dispose()
        with contextlib.suppress(Exception):
            source.get_engine().dispose()
