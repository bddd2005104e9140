"""The warehouse is a working file, rebuilt from the sources by every run: never repaired, replaced.

At the start of a refresh (under its lock) :func:`set_aside_if_unreadable` opens it once; an
empty, truncated or otherwise unreadable file (and its write-ahead log) is renamed to
``<name>.unreadable`` (one kept, for a post-mortem) and the run rebuilds the warehouse from the
sources. :func:`connect` opens it in one attempt: a failure names the file and DuckDB's reason
at once instead of retrying for minutes.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

UNREADABLE_SUFFIX = ".unreadable"
IN_USE = ("Could not set lock on file", "Conflicting lock is held")  # DuckDB: another process has it open
HEADER_BYTES = 3 * 4096  # DuckDB's main header and its two database headers


class WarehouseError(RuntimeError):
    """The warehouse file cannot be opened: its path and DuckDB's reason."""


def connect(path: Path, read_only: bool = False, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse, or a :class:`WarehouseError` naming the file and the reason."""
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config or {})
    except duckdb.Error as error:
        raise WarehouseError(f"cannot open the warehouse {path}: {error}") from error


def unreadable_reason(path: Path) -> str | None:
    """Why the warehouse file cannot be used, or None if it opens, its catalog reads and it is as
    long as its header says (a truncated file opens, and fails only when a lost block is read), or
    if another process holds it open: that is no damage, and never a reason to move it aside."""
    if not path.exists():
        return None
    try:
        with contextlib.closing(duckdb.connect(str(path))) as con:
            con.execute("checkpoint")  # a write-ahead log left by a killed run goes into the file
            [(block_size, blocks)] = con.execute(
                "select block_size, total_blocks from pragma_database_size() "
                "where database_name = current_database()").fetchall()
    except duckdb.Error as error:
        if any(message in str(error) for message in IN_USE):
            return None  # readable, but open in another process: the step that needs it says so
        return str(error).splitlines()[0]
    expected, actual = HEADER_BYTES + blocks * block_size, path.stat().st_size
    if actual < expected:
        return f"truncated: {actual} bytes where its header counts {expected}"
    return None


def set_aside_if_unreadable(path: Path) -> str | None:
    """Move an unreadable warehouse (and its WAL) aside; the one-line message, or None if it was fine."""
    reason = unreadable_reason(path)
    if reason is None:
        return None
    aside = path.with_name(path.name + UNREADABLE_SUFFIX)
    path.replace(aside)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.replace(aside.with_name(aside.name + ".wal"))
    return f"the warehouse {path} was unreadable ({reason}): moved to {aside.name}, rebuilt from the sources"
