"""Contract-strict loading of one source file into the warehouse's ``raw`` schema.

DuckDB reads the file itself with the declared column types (``auto_detect`` off), so a
value that does not parse fails with DuckDB's line number; this module turns every fatal
problem of docs/sources.md into one :class:`SourceFileError` naming the file, the line,
the column and the value.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.contract import MONTH, SourceFile

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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def read_csv_sql(path: Path, source: SourceFile, header: list[str]) -> str:
    """A ``read_csv`` call typing each declared column, in the file's column order."""
    declared = {c.name: ("DATE" if c.type == MONTH else c.type) for c in source.columns}
    columns = ", ".join(f"{_sql_string(name)}: {_sql_string(declared.get(name, 'VARCHAR'))}" for name in header)
    return (
        f"read_csv({_sql_string(str(path))}, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', columns = {{{columns}}}, "
        f"dateformat = {_sql_string(source.date_format)}, strict_mode = true)"
    )


_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CONVERSION = re.compile(r'Error when converting column "(.+?)"\. Could not convert string "(.*?)" to \'(.+?)\'')
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


def explain(error: duckdb.Error, path: Path, header: list[str]) -> SourceFileError:
    """Turn DuckDB's CSV error into a :class:`SourceFileError`."""
    message = str(error)
    line_match = _LINE.search(message)
    line = int(line_match.group(1)) if line_match else None
    if conversion := _CONVERSION.search(message):
        column, value, type_ = conversion.groups()
        expected = {"DATE": "a date", "DOUBLE": "a number", "INTEGER": "an integer",
                    "BOOLEAN": "true or false"}.get(type_, type_)
        if type_.startswith("DECIMAL"):
            expected = "a decimal number with a '.' point, no thousands separator or currency"
        return SourceFileError(path, f"value does not parse as {expected}", line=line, column=column, value=value)
    if "Invalid unicode" in message and line is not None:
        column, value = _undecodable_field(path, line, header)
        return SourceFileError(path, "not UTF-8 encoded", line=line, column=column, value=value)
    if counts := _COLUMN_COUNT.search(message):
        expected, found = counts.groups()
        value = _line_text(path, line).decode("utf-8", "replace") if line else None
        return SourceFileError(path, f"row has {found} fields, the header has {expected}", line=line, value=value)
    first_line = message.splitlines()[0] if message else type(error).__name__
    return SourceFileError(path, f"unreadable CSV: {first_line}", line=line)


def load(con: duckdb.DuckDBPyConnection, source: SourceFile, path: Path, schema: str = "raw") -> LoadResult:
    """Replace ``<schema>.<source.name>`` with the typed contents of ``path``."""
    header = read_header(path)
    missing = [name for name in source.column_names if name not in header]
    if missing:
        raise SourceFileError(path, f"required column(s) missing from the header: {', '.join(missing)}",
                              line=1, column=missing[0])
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise SourceFileError(path, "column appears twice in the header", line=1, column=duplicated[0])
    extra = tuple(name for name in header if name not in source.column_names)
    select = ", ".join(_quote(name) for name in source.column_names)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    with ThreadPoolExecutor(1) as hasher:  # hashing releases the GIL: it overlaps DuckDB's read
        digest = hasher.submit(sha256_of, path)
        try:
            con.execute(
                f"CREATE OR REPLACE TABLE {schema}.{_quote(source.name)} AS "
                f"SELECT {select} FROM {read_csv_sql(path, source, header)}"
            )
        except duckdb.Error as error:
            raise explain(error, path, header) from None
    [(rows,)] = con.execute(f"SELECT count(*) FROM {schema}.{_quote(source.name)}").fetchall()
    return LoadResult(path, rows, path.stat().st_size, digest.result(), extra)
