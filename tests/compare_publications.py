"""Are two publications value-identical? A refactoring must not move a single figure.

    PYTHONPATH=. .venv/bin/python -m tests.compare_publications BEFORE_DIR AFTER_DIR

Each directory is a publish directory (or a release): ``parquet/<table>.parquet`` per table.
For every table of either side: same columns with the same types, same row count, and the same
value in every cell once both sides are sorted by all their columns (NULL equals NULL; floats
compare exactly). Prints one line per table and exits 1 on any difference, listing the first
differing rows.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import duckdb

SHOWN_DIFFERENCES = 5


def tables(publication: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((publication / "parquet").glob("*.parquet"))}


def compare_table(con: duckdb.DuckDBPyConnection, before: Path, after: Path) -> list[str]:
    """What differs between two Parquet files of one table (empty when identical)."""
    schemas = [con.execute(f"describe select * from read_parquet('{p}')").fetchall() for p in (before, after)]
    columns = [[(name, type_) for name, type_, *_ in schema] for schema in schemas]
    if columns[0] != columns[1]:
        return [f"columns differ: {columns[0]} != {columns[1]}"]
    names = ", ".join(f'"{name}"' for name, _ in columns[0])
    problems = []
    for label, first, second in (("only before", before, after), ("only after", after, before)):
        rows = con.execute(f"select {names} from read_parquet('{first}') except all "
                           f"select {names} from read_parquet('{second}') order by all").fetchall()
        problems += [f"{label}: {row}" for row in rows[:SHOWN_DIFFERENCES]]
        if len(rows) > SHOWN_DIFFERENCES:
            problems.append(f"{label}: ... {len(rows)} rows in all")
    return problems


def compare(before: Path, after: Path) -> dict[str, list[str]]:
    """Each table of either side with its differences."""
    left, right = tables(before), tables(after)
    report = {}
    with contextlib.closing(duckdb.connect()) as con:
        for table in sorted(left.keys() | right.keys()):
            if table not in left or table not in right:
                report[table] = [f"published only {'after' if table in right else 'before'}"]
            else:
                report[table] = compare_table(con, left[table], right[table])
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    report = compare(args.before, args.after)
    with contextlib.closing(duckdb.connect()) as con:
        for table, problems in report.items():
            path = tables(args.after).get(table)
            rows = con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0] if path else 0
            print(f"{table}: {'identical' if not problems else 'DIFFERENT'} ({rows} rows)")
            for problem in problems:
                print(f"    {problem}")
    different = [t for t, p in report.items() if p]
    print(f"{len(report) - len(different)} of {len(report)} tables value-identical")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
