"""Contract-strict loading of one source file into the warehouse's ``raw`` schema.

DuckDB reads the file itself (``auto_detect`` off, strict CSV) and converts each column to its
contract type as :mod:`dagster_project.source_values` says; this module turns every fatal
problem of docs/sources.md (structure, encoding, a value that does not parse, a date outside
1970-2099, a control character) into one :class:`SourceFileError` naming the file, the line,
the column and the value, with DuckDB's own reason where it gave one. A failed load leaves the
previous raw table as it was (one transaction).
"""

from __future__ import annotations

import csv
import gzip
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.contract import SourceFile
from dagster_project.file_scan import scan
from dagster_project.source_values import BadValue, parse_failure, typed, value_format
from dagster_project.sql import identifier, literal

EXTENSIONS = (".csv", ".csv.gz")


class SourceFileError(Exception):
    """A fatal ingestion problem, located as precisely as the file allows."""

    def __init__(self, file: Path | str, problem: str, *, line: int | None = None,
                 column: str | None = None, value: str | None = None):
        self.file, self.problem = str(file), problem
        self.line, self.column, self.value = line, column, value
        where = [f"file {self.file}"]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        if value is not None:
            where.append(f"value {value!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True)
class LoadResult:
    path: Path
    row_count: int
    size_bytes: int
    sha256: str
    extra_columns: tuple[str, ...]


def locate(source_dir: Path, source: SourceFile) -> Path:
    """The file of ``source`` in the source directory, plain or gzip-compressed."""
    folder = source_dir / source.system
    if not folder.is_dir():
        raise SourceFileError(folder, "source folder is missing")
    found = [folder / f"{source.name}{ext}" for ext in EXTENSIONS if (folder / f"{source.name}{ext}").is_file()]
    if not found:
        raise SourceFileError(folder / f"{source.name}.csv", "source file is missing (.csv or .csv.gz expected)")
    if len(found) > 1:
        raise SourceFileError(found[0], f"both {found[0].name} and {found[1].name} exist; keep one")
    return found[0]


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")


def read_header(path: Path) -> list[str]:
    """Column names of the header row (a UTF-8 BOM and CRLF accepted)."""
    with _open_binary(path) as fh:
        raw = fh.readline()
    if not raw.strip():
        raise SourceFileError(path, "file is empty: a header row is required", line=1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFileError(path, f"not UTF-8 encoded (byte 0x{raw[exc.start]:02x})", line=1,
                              value=raw.decode("latin-1").strip()) from None
    return [name.strip() for name in next(csv.reader([text]))]


def read_csv_sql(header: list[str]) -> str:
    """A ``read_csv`` of the file given as the one ``?`` parameter, every column as text (typed by
    :func:`dagster_project.source_values.typed`), in the file's column order."""
    columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header)
    return ("read_csv(?, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            f"columns = {{{columns}}}, strict_mode = true)")


def typed_select(source: SourceFile) -> str:
    """The SELECT list converting the text columns of ``source`` to its contract types."""
    return ", ".join(typed(column) for column in source.columns)


_LINE = re.compile(r"CSV Error on Line: (\d+)")
_COLUMN_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _line_text(path: Path, line: int) -> bytes:
    with _open_binary(path) as fh:
        for number, raw in enumerate(fh, start=1):
            if number == line:
                return raw.rstrip(b"\r\n")
    return b""


def _undecodable_field(path: Path, line: int, header: list[str]) -> tuple[str | None, str]:
    """The column and value of the first field on ``line`` that is not valid UTF-8."""
    raw = _line_text(path, line)
    # not strict: the offending line may not have as many fields as the header
    for name, field in zip(header, next(csv.reader([raw.decode("latin-1")])), strict=False):
        try:
            field.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return name, field
    return None, raw.decode("latin-1")


def _duckdb_reason(message: str) -> str:
    """DuckDB's own explanation in a CSV error: the paragraph after the offending line, before
    its suggestions and its dump of the reader's options."""
    kept = []
    for paragraph in (p for p in message.split("\n\n") if p.strip()):
        if paragraph.startswith(("Possible", "  file = ", "LINE ")):
            break
        kept.append(paragraph)
    lines = (kept[-1] if kept else message).splitlines()
    reason = lines[-1].strip() if lines else ""
    if not reason or reason.startswith(("Original Line:", "CSV Error on Line")):
        return message.splitlines()[0] if message else "unknown error"
    return reason


def _shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def explain(error: duckdb.Error, path: Path, header: list[str]) -> SourceFileError:
    """Turn DuckDB's CSV error into a :class:`SourceFileError`, DuckDB's reason kept."""
    message = str(error)
    line_match = _LINE.search(message)
    line = int(line_match.group(1)) if line_match else None
    if "Invalid unicode" in message and line is not None:
        column, value = _undecodable_field(path, line, header)
        return SourceFileError(path, "not UTF-8 encoded", line=line, column=column, value=value)
    if counts := _COLUMN_COUNT.search(message):
        expected, found = counts.groups()
        value = _line_text(path, line).decode("utf-8", "replace") if line else None
        return SourceFileError(path, f"row has {found} fields, the header has {expected}", line=line, value=value)
    value = _line_text(path, line).decode("utf-8", "replace") if line else None
    return SourceFileError(path, f"unreadable CSV: {_duckdb_reason(message)}", line=line,
                           value=_shortened(value) if value else None)


def _line_of(path: Path, column: str, value: str) -> int | None:
    """The line where the first record holding ``value`` in ``column`` starts."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [name.strip() for name in next(reader)]
        index, start = header.index(column), reader.line_num + 1
        for record in reader:
            if index < len(record) and record[index] == value:
                return start
            start = reader.line_num + 1
    return None


def _bad_value_error(path: Path, bad: BadValue) -> SourceFileError:
    return SourceFileError(path, bad.problem, line=_line_of(path, bad.column, bad.value),
                           column=bad.column, value=_shortened(bad.value))


def _control_character(con: duckdb.DuckDBPyConnection, table: str, source: SourceFile) -> BadValue | None:
    """The first text value of ``table`` holding a control character, if any."""
    found = []
    for column in (c.name for c in source.columns if value_format(c.type) is None):
        name = identifier(column)
        found += [(rowid, column, value) for rowid, value in con.execute(
            f"SELECT rowid, {name} FROM {table} WHERE regexp_matches({name}, '[\\x00-\\x1f]') "
            "ORDER BY rowid LIMIT 1").fetchall()]
    if not found:
        return None
    _, column, value = min(found)
    return BadValue(column, value, "control character (U+0000-U+001F) in a text value")


def load(con: duckdb.DuckDBPyConnection, source: SourceFile, path: Path, schema: str = "raw") -> LoadResult:
    """Replace ``<schema>.<source.name>`` with the typed contents of ``path``, or leave it as it
    was and raise a :class:`SourceFileError` naming the file, line, column and value."""
    header = read_header(path)
    missing = [name for name in source.column_names if name not in header]
    if missing:
        raise SourceFileError(path, f"required column(s) missing from the header: {', '.join(missing)}",
                              line=1, column=missing[0])
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise SourceFileError(path, "column appears twice in the header", line=1, column=duplicated[0])
    extra = tuple(name for name in header if name not in source.column_names)
    table = f"{identifier(schema)}.{identifier(source.name)}"
    columns = {c.name: c for c in source.columns}
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {identifier(schema)}")
    with ThreadPoolExecutor(1) as scanner:  # hashing releases the GIL: it overlaps DuckDB's read
        scanned = scanner.submit(scan, path)
        con.execute("BEGIN TRANSACTION")
        try:
            try:
                con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {typed_select(source)} "
                            f"FROM {read_csv_sql(header)}", [str(path)])
            except duckdb.Error as error:
                bad = parse_failure(str(error), columns)
                raise (_bad_value_error(path, bad) if bad else explain(error, path, header)) from None
            [(rows,)] = con.execute(f"SELECT count(*) FROM {table}").fetchall()
            file = scanned.result()
            if file.may_hold_control(rows) and (bad := _control_character(con, table, source)):
                raise _bad_value_error(path, bad)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    return LoadResult(path, rows, path.stat().st_size, file.sha256, extra)
