"""One line per dbt data test, saying the rule it checks, for the asset check's description.

A test's own ``description:`` in its YAML wins; otherwise the line is made from the generic test
and its arguments: the common tests (``not_null``, ``unique``, ``accepted_values``,
``relationships``, ``unique_combination``, ``within_range``, ``expression_is_true``) by a
template, the project's other generic tests from the comment before their ``{% test %}`` block
in ``tests/generic/`` (one place documents each rule) followed by the arguments given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from dagster_project.config import DBT_PROJECT_DIR

GENERIC_TESTS_DIR = DBT_PROJECT_DIR / "tests" / "generic"
_COMMENTED_TEST = re.compile(r"\{#(?P<comment>(?:(?!#\}).)*)#\}\s*\{%-?\s*test\s+(?P<name>\w+)", re.S)
_REF = re.compile(r"ref\(\s*'([^']+)'\s*\)")


def _ref(text: str) -> str:
    """``ref('hub_costs')`` as ``hub_costs``."""
    return _REF.sub(r"\1", str(text))


def _within(a: Mapping[str, Any]) -> str:
    low, high = a.get("min_value"), a.get("max_value")
    bound = (f"between {low} and {high}" if low is not None and high is not None
             else f"at least {low}" if low is not None else f"at most {high}")
    return f"{a['column_name']} is {bound} (NULL passes)."


TEMPLATES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "not_null": lambda a: f"{a['column_name']} is never NULL.",
    "unique": lambda a: f"{a['column_name']} is unique: no two rows share a value.",
    "accepted_values": lambda a: f"{a['column_name']} is one of: {', '.join(map(str, a['values']))}.",
    "relationships": lambda a: f"every {a['column_name']} exists in {_ref(a['to'])}.{a['field']}.",
    "unique_combination": lambda a: f"one row per ({', '.join(a['columns'])}): unique together.",
    "within_range": _within,
    "expression_is_true": lambda a: f"every row satisfies: {a['expression']}",
}


@cache
def generic_test_comments(folder: Path = GENERIC_TESTS_DIR) -> dict[str, str]:
    """The comment before each ``{% test name %}`` of ``folder``, on one line, by test name."""
    comments = {}
    for path in sorted(folder.glob("*.sql")):
        for match in _COMMENTED_TEST.finditer(path.read_text(encoding="utf-8")):
            comments[match["name"]] = " ".join(match["comment"].split())
    return comments


def _arguments(kwargs: Mapping[str, Any]) -> str:
    shown = [f"{name}={_ref(value) if isinstance(value, str) else value}"
             for name, value in kwargs.items() if name != "model"]
    return f" ({', '.join(shown)})" if shown else ""


def describe_test(test: Mapping[str, Any]) -> str:
    """The rule of one dbt test node of the manifest, in one line."""
    own = (test.get("description") or test.get("meta", {}).get("description") or "").strip()
    if own:
        return own
    metadata = test.get("test_metadata") or {}
    name, kwargs = metadata.get("name"), metadata.get("kwargs") or {}
    if name in TEMPLATES:
        return TEMPLATES[name](kwargs)
    if name in generic_test_comments():
        return generic_test_comments()[name] + _arguments(kwargs)
    if name:
        return f"{name}{_arguments(kwargs)}"
    return f"singular test {test['name']} ({test['original_file_path']}): it selects no row."
