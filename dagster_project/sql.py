"""Quoting for the few SQL statements that cannot take ``?`` parameters.

DuckDB refuses parameters in DDL such as ``CREATE VIEW`` and in table-function arguments of
some statements; there, a path or any value from outside goes through :func:`literal`, and a
name through :func:`identifier`, never through string formatting of its raw text.
"""

from __future__ import annotations


def identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier (a double quote inside doubled)."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """``text`` as a SQL string literal (a single quote inside doubled; DuckDB treats backslashes
    literally)."""
    return "'" + text.replace("'", "''") + "'"
