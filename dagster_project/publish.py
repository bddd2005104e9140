"""Write-audit-publish: copy the validated marts into a new release, then swap it in atomically.

``<publish dir>`` (default ``data/published``) is a symbolic link to a release directory
``<publish dir>.releases/<release>/`` holding ``kpi.duckdb``, ``parquet/<table>.parquet`` and
``manifest.json``. A release is written completely (and fsynced) before the link is replaced
with one atomic ``rename``; a run that fails or is killed at any moment leaves the previous
release untouched and the link pointing at it. The previous release is kept, so a reader that
opened the old files keeps working; every other release (older, or a failed attempt's) is
pruned.

``kpi.duckdb`` is written with storage version v1.0.0, readable by DuckDB 1.x clients.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

from dagster_project.output_contract import PublishedTable

STORAGE_VERSION = "v1.0.0"
MANIFEST = "manifest.json"


class PublishError(RuntimeError):
    pass


def data_docs_dir(warehouse: Path) -> Path:
    """Where the checks write the GX Data Docs of the last validation (beside the warehouse)."""
    return warehouse.parent / "validation_docs"


def copy_data_docs(source: Path, release: Path) -> None:
    """The last validation's GX Data Docs pages, with an index, into ``release/data_docs``."""
    if not source.is_dir():
        return
    target = release / "data_docs"
    shutil.copytree(source, target)
    links = "\n".join(f'<li><a href="{p.name}">{p.stem}</a></li>' for p in sorted(target.glob("*.html")))
    (target / "index.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Validation of this publication</title></head>"
        f"<body><h1>Great Expectations Data Docs of this publication</h1><ul>{links}</ul></body></html>\n")


def releases_dir(publish_dir: Path) -> Path:
    return publish_dir.with_name(publish_dir.name + ".releases")


def read_manifest(publish_dir: Path) -> dict | None:
    path = publish_dir / MANIFEST
    return json.loads(path.read_text()) if path.is_file() else None


def previous_row_count(publish_dir: Path, table: str) -> int | None:
    """The row count of ``table`` in the current publication, if there is one."""
    manifest = read_manifest(publish_dir)
    return (manifest or {}).get("tables", {}).get(table, {}).get("row_count")


def _fsync_tree(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_release(warehouse: Path, release: Path, tables: tuple[PublishedTable, ...], manifest: dict) -> dict[str, int]:
    """Write each declared table of ``marts`` into ``release`` (DuckDB file + Parquet) and the
    manifest: its declared columns in declared order, rows in grain order, and in ``kpi.duckdb``
    the table's and each column's description as comments (BI tools show them)."""
    (release / "parquet").mkdir(parents=True)
    counts = {}
    with contextlib.closing(duckdb.connect()) as con:
        con.execute(f"ATTACH {_quoted(str(warehouse))} AS warehouse (READ_ONLY)")
        con.execute(f"ATTACH {_quoted(str(release / 'kpi.duckdb'))} AS published (STORAGE_VERSION '{STORAGE_VERSION}')")
        for table in tables:
            target = f"published.main.{table.name}"
            con.execute(f"CREATE TABLE {target} AS SELECT {', '.join(table.column_names)} "
                        f"FROM warehouse.marts.{table.name} ORDER BY {', '.join(table.grain)}")
            con.execute(f"COMMENT ON TABLE {target} IS {_quoted(table.description)}")
            for column in table.columns:
                con.execute(f"COMMENT ON COLUMN {target}.{column.name} IS {_quoted(column.description)}")
            parquet = release / "parquet" / f"{table.name}.parquet"
            con.execute(f"COPY {target} TO {_quoted(str(parquet))} (FORMAT parquet, COMPRESSION zstd)")
            [(counts[table.name],)] = con.execute(f"SELECT count(*) FROM {target}").fetchall()
        con.execute("DETACH published")
        con.execute("DETACH warehouse")
    manifest = {**manifest,
                "tables": {t: {"row_count": n, "parquet": f"parquet/{t}.parquet"} for t, n in counts.items()}}
    (release / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return counts


def swap_in(publish_dir: Path, release: Path) -> None:
    """Point ``publish_dir`` at ``release`` with one atomic rename of a symbolic link."""
    if publish_dir.exists() and not publish_dir.is_symlink():
        raise PublishError(f"{publish_dir} exists and is not a link to a release; move it away to publish here")
    staging_link = publish_dir.with_name(f".{publish_dir.name}.{release.name}.link")
    staging_link.unlink(missing_ok=True)
    staging_link.symlink_to(os.path.relpath(release, publish_dir.parent))
    os.replace(staging_link, publish_dir)
    fd = os.open(publish_dir.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(publish_dir: Path, previous: Path | None) -> list[Path]:
    """Delete every release but the current one and ``previous``, the one it replaced (readers
    may still hold its files): leftovers of failed or killed attempts go too, and never take
    the place of the last good release."""
    current = publish_dir.resolve() if publish_dir.is_symlink() else None
    stale = [p for p in sorted(releases_dir(publish_dir).iterdir())
             if p.is_dir() and p not in (current, previous)]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


def publish(warehouse: Path, publish_dir: Path, tables: tuple[PublishedTable, ...], manifest: dict,
            release_name: str, complete: Callable[[Path], object] | None = None) -> tuple[Path, dict[str, int]]:
    """Write a release and swap it in; returns the release directory and each table's row count.

    ``complete(release)`` adds what is made from the written tables (the report) before the
    swap, so that it goes live with them, atomically."""
    publish_dir.parent.mkdir(parents=True, exist_ok=True)
    release = releases_dir(publish_dir) / release_name
    if release.exists():
        shutil.rmtree(release)  # an unfinished attempt of the same run
    try:
        counts = write_release(warehouse, release, tables, manifest)
        copy_data_docs(data_docs_dir(warehouse), release)
        if complete is not None:
            complete(release)
        _fsync_tree(release)
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)  # never half a release beside the good ones
        raise
    previous = publish_dir.resolve() if publish_dir.is_symlink() else None
    swap_in(publish_dir, release)
    prune(publish_dir, previous)
    return release, counts


def release_name(run_id: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{run_id[:8]}"
