"""How ingestion reads each value of a source file from its text (docs/sources.md, Format).

DuckDB's own casts are looser than the contract (``yes`` is a boolean, ``1.5`` an integer
rounded to 2, ``1e3`` and ``1_000`` numbers, ``nan`` a number, ``2024-1-5`` a date), so every
column is read as text and converted here: a value must have the contract's shape, convert to
its type, and a date or month must lie between 1970-01-01 and 2099-12-31. A value that fails
raises, inside DuckDB, an error that :func:`parse_failure` turns back into the column, the
problem and the value. Text columns are checked for control characters by
:mod:`dagster_project.file_scan` (a scan of the bytes is far cheaper than a per-field test).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dagster_project.contract import MONTH, Column
from dagster_project.sql import identifier, literal

EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2099, 12, 31)
SEPARATOR = "\x1e"  # between the parts of the error a bad value raises inside DuckDB
PARSE, RANGE = "parse", "range"
_DIGIT4, _DIGIT2 = "[0-9]" * 4, "[0-9]" * 2


@dataclass(frozen=True)
class ValueFormat:
    well_formed: str  # SQL predicate on the text {v}
    cast: str  # SQL: the typed value of the text {v} ({type} the column's type), NULL if it fails
    expected: str  # how a message describes a good value
    dated: bool = False  # a date or month: must also lie between EARLIEST and LATEST


_NUMBER = "a decimal number with a '.' point, no thousands separator or currency"
FORMATS: dict[str, ValueFormat] = {
    "DATE": ValueFormat(f"{{v}} GLOB '{_DIGIT4}-{_DIGIT2}-{_DIGIT2}'", "TRY_CAST({v} AS DATE)",
                        "a date (YYYY-MM-DD)", dated=True),
    MONTH: ValueFormat(f"{{v}} GLOB '{_DIGIT4}-{_DIGIT2}'", "TRY_CAST({v} || '-01' AS DATE)",
                       "a month (YYYY-MM)", dated=True),
    "INTEGER": ValueFormat("NOT {v} GLOB '*[!0-9-]*'", "TRY_CAST({v} AS INTEGER)", "a whole number"),
    "DOUBLE": ValueFormat("NOT {v} GLOB '*[!0-9.-]*'", "TRY_CAST({v} AS DOUBLE)", _NUMBER),
    "DECIMAL": ValueFormat("NOT {v} GLOB '*[!0-9.-]*'", "TRY_CAST({v} AS {type})", _NUMBER),
    "BOOLEAN": ValueFormat("{v} IN ('true', 'false')", "TRY_CAST({v} AS BOOLEAN)", "true or false"),
}


def value_format(type_: str) -> ValueFormat | None:
    """The format of a contract type; None for text (VARCHAR), read as it is."""
    return FORMATS.get(type_.split("(")[0])


def _fail(column: str, problem: str, value: str) -> str:
    parts = ", ".join([literal(SEPARATOR), literal(column), literal(SEPARATOR), literal(problem),
                       literal(SEPARATOR), value, literal(SEPARATOR)])
    return f"error(concat({parts}))"


def typed(column: Column) -> str:
    """The SELECT item turning the text of ``column`` into its contract type, or failing."""
    v = identifier(column.name)
    form = value_format(column.type)
    if form is None:
        return v
    cast = form.cast.format(v=v, type=column.type)
    cases = [f"WHEN NOT ({form.well_formed.format(v=v)}) OR {cast} IS NULL THEN {_fail(column.name, PARSE, v)}"]
    if form.dated:
        cases.append(f"WHEN {cast} NOT BETWEEN DATE '{EARLIEST}' AND DATE '{LATEST}' "
                     f"THEN {_fail(column.name, RANGE, v)}")
    return f"CASE WHEN {v} IS NULL THEN NULL {' '.join(cases)} ELSE {cast} END AS {v}"


_FAILURE = re.compile(f"{SEPARATOR}(.*?){SEPARATOR}({PARSE}|{RANGE}){SEPARATOR}(.*){SEPARATOR}", re.DOTALL)


@dataclass(frozen=True)
class BadValue:
    column: str
    value: str
    problem: str  # the message's explanation


def parse_failure(message: str, columns: dict[str, Column]) -> BadValue | None:
    """The bad value a :func:`typed` conversion raised, from DuckDB's error message."""
    found = _FAILURE.search(message)
    if not found:
        return None
    column, kind, value = found.groups()
    form = value_format(columns[column].type)
    if kind == RANGE:
        return BadValue(column, value, f"date outside {EARLIEST}..{LATEST} (a typo, not data)")
    return BadValue(column, value, f"value does not parse as {form.expected}")
