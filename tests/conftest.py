"""Shared fixtures: generated datasets, a warehouse loaded with them, the dbt manifest."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.contract import SOURCES
from dagster_project.ingest import load, locate
from dagster_project.synthetic import SCALES, generate

DEMO_SEED = 42


def load_sources(source_dir: Path, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every source file of ``source_dir`` in schema ``raw``."""
    con = duckdb.connect(database)
    for source in SOURCES:
        load(con, source, locate(source_dir, source))
    return con


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """The demo dataset freshly generated with the seed of the committed seeds/."""
    out = tmp_path_factory.mktemp("demo")
    generate(SCALES["demo"], DEMO_SEED, out, log=lambda *_: None)
    return out


@pytest.fixture(scope="session")
def demo_raw(demo_dir) -> duckdb.DuckDBPyConnection:
    return load_sources(demo_dir)


@pytest.fixture
def source_copy(demo_dir, tmp_path) -> Path:
    """A writable copy of the demo sources, for tests that break a file."""
    target = tmp_path / "sources"
    shutil.copytree(demo_dir, target)
    return target
