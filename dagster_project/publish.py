"""Write-audit-publish: copy the validated marts into a new release, then swap it in atomically.

``<publish dir>`` (default ``data/published``) is a symbolic link to a release directory
``<publish dir>.releases/<release>/`` holding ``kpi.duckdb``, ``parquet/<table>.parquet`` and
``manifest.json``. A release is written as ``<release>.partial/``, fsynced, renamed to
``<release>/`` (complete), and only then is the link replaced with one atomic ``rename``; a run
that fails or is killed at any moment leaves the previous release untouched and the link
pointing at it.

Retention: after a swap, the release the link points to and the one it replaced (complete, as
every release the link ever pointed to; readers that opened its files keep working) are kept,
every other release is deleted. Incomplete releases (``*.partial``) are deleted at the start of
every run (:func:`remove_incomplete_releases`) and by a failed write itself; nothing but a
complete release is ever linked, and neither kept release is ever deleted.

Paths reach DuckDB as ``?`` parameters (``ATTACH ?``, ``COPY ... TO ?``), never inside SQL
text. A failure (a full disk, a read-only file system, an unreadable warehouse) raises a
:class:`PublishError` that names the path and the OS's or DuckDB's reason.

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

import dagster as dg
import duckdb

from dagster_project.output_contract import PublishedTable

STORAGE_VERSION = "v1.0.0"
MANIFEST = "manifest.json"
PARTIAL = ".partial"


class PublishError(dg.Failure):
    """Publishing failed; the message is one line with the path and the underlying reason (a
    Dagster ``Failure``, so that the step's error message is this line, not only the op's name)."""

    def __init__(self, message: str):
        super().__init__(description=message)


def _reason(error: BaseException) -> str:
    """The OS's or DuckDB's reason, with the path, in one line."""
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error} [errno {error.errno}]{where}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


@contextlib.contextmanager
def _failing_as(what: str):
    """Turn an OS or DuckDB error inside into a :class:`PublishError` saying ``what`` failed and why."""
    try:
        yield
    except (OSError, duckdb.Error) as error:
        raise PublishError(f"{what}: {_reason(error)}") from error


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
    """A SQL string literal, for the contract's own descriptions (``COMMENT ON`` takes no parameter)."""
    return "'" + text.replace("'", "''") + "'"


def write_release(warehouse: Path, release: Path, tables: tuple[PublishedTable, ...], manifest: dict) -> dict[str, int]:
    """Write each declared table of ``marts`` into ``release`` (DuckDB file + Parquet) and the
    manifest: its declared columns in declared order, rows in grain order, and in ``kpi.duckdb``
    the table's and each column's description as comments (BI tools show them)."""
    (release / "parquet").mkdir(parents=True)
    counts = {}
    with contextlib.closing(duckdb.connect()) as con:
        with _failing_as(f"cannot read the warehouse {warehouse}"):
            con.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(warehouse)])
        con.execute(f"ATTACH ? AS published (STORAGE_VERSION '{STORAGE_VERSION}')", [str(release / "kpi.duckdb")])
        for table in tables:
            target = f"published.main.{table.name}"
            con.execute(f"CREATE TABLE {target} AS SELECT {', '.join(table.column_names)} "
                        f"FROM warehouse.marts.{table.name} ORDER BY {', '.join(table.grain)}")
            con.execute(f"COMMENT ON TABLE {target} IS {_quoted(table.description)}")
            for column in table.columns:
                con.execute(f"COMMENT ON COLUMN {target}.{column.name} IS {_quoted(column.description)}")
            parquet = release / "parquet" / f"{table.name}.parquet"
            con.execute(f"COPY {target} TO ? (FORMAT parquet, COMPRESSION zstd)", [str(parquet)])
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
    staging_link = _staging_link(publish_dir, release.name)
    with _failing_as(f"cannot point {publish_dir} at the new release"):
        staging_link.unlink(missing_ok=True)
        staging_link.symlink_to(os.path.relpath(release, publish_dir.parent))
        os.replace(staging_link, publish_dir)
        fd = os.open(publish_dir.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _staging_link(publish_dir: Path, name: str) -> Path:
    return publish_dir.with_name(f".{publish_dir.name}.{name}.link")


def is_complete(release: Path) -> bool:
    return release.is_dir() and not release.name.endswith(PARTIAL)


def remove_incomplete_releases(publish_dir: Path) -> list[Path]:
    """Delete every incomplete release (``*.partial``) and staging link a killed run left; the
    deleted paths. Called at the start of every run, under the refresh lock."""
    releases = releases_dir(publish_dir)
    partial = sorted(releases.glob(f"*{PARTIAL}")) if releases.is_dir() else []
    for path in partial:
        shutil.rmtree(path, ignore_errors=True)
    for link in publish_dir.parent.glob(f".{publish_dir.name}.*.link") if publish_dir.parent.is_dir() else []:
        link.unlink(missing_ok=True)
    return partial


def prune(publish_dir: Path, previous: Path | None) -> list[Path]:
    """Delete every release but the current one and ``previous``, the one it replaced (readers
    may still hold its files): leftovers of failed or killed attempts go too, complete or not,
    and never take the place of the last good release."""
    current = publish_dir.resolve() if publish_dir.is_symlink() else None
    if previous is not None and not is_complete(previous):
        previous = None  # never happens: the link only ever points at complete releases
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
    release = releases_dir(publish_dir) / release_name
    partial = release.with_name(release.name + PARTIAL)
    try:
        with _failing_as(f"cannot write the release {partial}"):
            remove_incomplete_releases(publish_dir)
            if release.exists():
                shutil.rmtree(release)  # a complete release of the same run that was never linked
            counts = write_release(warehouse, partial, tables, manifest)
            copy_data_docs(data_docs_dir(warehouse), partial)
            if complete is not None:
                complete(partial)
            _fsync_tree(partial)
            partial.rename(release)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)  # never half a release beside the good ones
        raise
    previous = publish_dir.resolve() if publish_dir.is_symlink() else None
    swap_in(publish_dir, release)
    with contextlib.suppress(OSError):  # the publication is live; a release left over goes next time
        prune(publish_dir, previous)
    return release, counts


def release_name(run_id: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{run_id[:8]}"
