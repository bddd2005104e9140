"""Shared fixtures: generated datasets, a warehouse loaded with them, the dbt manifest."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.contract import SOURCES
from dagster_project.ingest import load, locate
from synthetic import SCALES, generate

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


@pytest.fixture(scope="session")
def defective_dir(demo_dir, tmp_path_factory) -> Path:
    """The demo sources with every named defect injected (see defects_manifest.json)."""
    from synthetic.defects import inject_defects

    folder = tmp_path_factory.mktemp("defective")
    shutil.copytree(demo_dir, folder, dirs_exist_ok=True)
    inject_defects(folder, rate=0.001, seed=DEMO_SEED)
    return folder


@pytest.fixture
def source_copy(demo_dir, tmp_path) -> Path:
    """A writable copy of the demo sources, for tests that break a file."""
    target = tmp_path / "sources"
    shutil.copytree(demo_dir, target)
    return target


@pytest.fixture(scope="session")
def dbt_manifest() -> None:
    """The dbt manifest the dbt assets are defined from (``dbt parse``), built once."""
    from dagster_project.prepare import prepare_dbt_manifest

    prepare_dbt_manifest()


def run_pipeline(source_dir: Path, warehouse: Path, publish_dir: Path | None = None, checks: bool = False,
                 run_config: dict | None = None, instance=None, **env: str):
    """Run the ``refresh_all`` job of :func:`build_defs` on ``source_dir`` into ``warehouse``: with
    ``publish_dir`` the whole job; else ingestion and dbt (with dbt's tests), and with ``checks``
    the GX checks too.

    ``env`` holds ``KPI_*`` overrides (e.g. ``KPI_AS_OF_DATE="2024-12-31"``); ``run_config`` the
    config of the dbt models (the KPI parameters of the run), as the launchpad gives it; the run is
    recorded in ``instance`` if one is given (else in an ephemeral one).
    """
    import dagster as dg

    from dagster_project.config import Settings
    from dagster_project.definitions import build_defs
    from dagster_project.defs.checks import MART_CHECKS, SOURCE_CHECKS
    from dagster_project.defs.dbt_assets import DBT_ASSETS_NAME
    from dagster_project.defs.publish_asset import PUBLICATION, REPORT

    paths = {"KPI_SOURCE_DIR": str(source_dir), "KPI_WAREHOUSE": str(warehouse),
             "KPI_PUBLISH_DIR": str(publish_dir or warehouse.parent / "published")}
    defs = build_defs(Settings.from_env({**env, **paths}))
    job = defs.resolve_job_def("refresh_all")
    if not publish_dir:
        selection = dg.AssetSelection.all() - dg.AssetSelection.assets(PUBLICATION, REPORT)
        if not checks:
            selection -= dg.AssetSelection.checks(SOURCE_CHECKS, MART_CHECKS)
        graph = defs.resolve_asset_graph()
        job = job.get_subset(asset_selection=selection.resolve(graph),
                             asset_check_selection=selection.resolve_checks(graph))
    config = {"ops": {DBT_ASSETS_NAME: {"config": run_config}}} if run_config else None
    return job.execute_in_process(run_config=config, raise_on_error=False, instance=instance)


@pytest.fixture(scope="session")
def demo_published(dbt_manifest, demo_dir, tmp_path_factory) -> Path:
    """A folder with the demo run through the whole job: ``warehouse.duckdb`` and ``published/``.
    Tests may publish over ``published/``; nobody writes to the warehouse (copy it first)."""
    root = tmp_path_factory.mktemp("publication")
    result = run_pipeline(demo_dir, root / "warehouse.duckdb", publish_dir=root / "published")
    assert result.success
    return root


@pytest.fixture(scope="session")
def medium_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("medium")
    generate(SCALES["medium"], DEMO_SEED, out, log=lambda *_: None)
    return out


@pytest.fixture(scope="session")
def medium_marts(dbt_manifest, medium_dir, tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The medium dataset run through the whole pipeline; a read-only connection to it."""
    warehouse = tmp_path_factory.mktemp("medium_wh") / "warehouse.duckdb"
    result = run_pipeline(medium_dir, warehouse)
    assert result.success
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


SLOW_FIXTURES = {"medium_dir", "medium_marts"}


def pytest_collection_modifyitems(items):
    """Tests on the medium dataset are ``slow``: ``make test-fast`` leaves them out."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
