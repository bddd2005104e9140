"""The publication the BI app reads: one release of ``data/published``, through DuckDB.

``KPI_PUBLISH_DIR`` (relative to the repository root, as for the pipeline; default
``data/published``) is a link the pipeline swaps at every publication. It is resolved to its
release directory on each page view, and a release is opened once: every figure of a page comes
from the same release, and a new publication shows on the next page view.

Tables are read from the Parquet files (``parquet/<table>.parquet``), not from ``kpi.duckdb``: any
DuckDB reads them, whatever the storage version, and nothing holds a lock on the publication.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

REPO_ROOT = Path(__file__).resolve().parent.parent


class NoPublication(Exception):
    """No complete publication at the configured place."""


@dataclass(frozen=True)
class Release:
    path: Path
    as_of_date: str
    run_id: str
    published_at: str
    tables: tuple[str, ...]


def publish_dir() -> Path:
    return Path(os.path.abspath(REPO_ROOT / (os.environ.get("KPI_PUBLISH_DIR") or "data/published")))


def current_release() -> Release:
    requested = publish_dir()
    manifest_file = requested / "manifest.json"
    if not manifest_file.is_file():
        raise NoPublication(
            f"No publication at {requested} (no manifest.json). Run `make run` first, or set "
            "KPI_PUBLISH_DIR to a publication folder."
        )
    release = requested.resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    tables = tuple(manifest.get("tables", {}))
    for table in tables:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
            raise NoPublication(f"unexpected table name in {release}/manifest.json: {table!r}")
        if not (release / "parquet" / f"{table}.parquet").is_file():
            raise NoPublication(f"{release} is incomplete: parquet/{table}.parquet is missing")
    return Release(release, manifest["as_of_date"], manifest["run_id"], manifest["published_at"], tables)


# Keyed by the release directory: a new publication is a new directory, so a new connection.
@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(release_dir: str, tables: tuple[str, ...]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    for table in tables:
        # a relation, not SQL text: the path is never spliced into a statement
        con.read_parquet(str(Path(release_dir) / "parquet" / f"{table}.parquet")).create_view(table)
    return con


@st.cache_data(max_entries=256, show_spinner=False)
def _query(release_dir: str, tables: tuple[str, ...], sql: str, params: tuple) -> pd.DataFrame:
    # a cursor per query: sessions run in threads, a DuckDB connection is not shared across them
    return _connection(release_dir, tables).cursor().execute(sql, list(params)).df()


def query(release: Release, sql: str, *params) -> pd.DataFrame:
    """The result of ``sql`` (DuckDB, one view per published table) on ``release``."""
    return _query(str(release.path), release.tables, sql, params)


def release_or_stop() -> Release:
    """The current release, or an explanation on the page and the end of the script."""
    try:
        return current_release()
    except NoPublication as error:
        st.error(str(error))
        st.stop()
