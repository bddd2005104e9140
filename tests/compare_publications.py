"""Are two publications value-identical? A refactoring must not move a single figure.

    PYTHONPATH=. .venv/bin/python -m tests.compare_publications BEFORE_DIR AFTER_DIR

Each directory is a publish directory (or a release): ``parquet/<table>.parquet`` per table.
For every table of either side: same columns with the same types, same row count, and the same
value in every cell once both sides are sorted by all their columns (NULL equals NULL; floats
compare exactly). Prints one line per table and exits 1 on any difference, listing the first
differing rows.

With ``--tolerance REL`` the floating-point columns may differ by up to REL relative: the rows
are matched on their grain (output_contract), and each table prints the largest relative
difference of each float column; exit 1 when one exceeds REL or anything else differs.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import duckdb

SHOWN_DIFFERENCES = 5
FLOAT_TYPES = ("DOUBLE", "FLOAT")


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


def largest_relative_differences(con: duckdb.DuckDBPyConnection, table: str, before: Path,
                                 after: Path) -> tuple[dict[str, float], list[str]]:
    """Rows matched on the table's grain: each float column's largest |after - before| /
    max(|before|, |after|), and what else differs (rows on one side only, other columns, NULLs)."""
    from dagster_project.output_contract import PUBLISHED_TABLES_BY_NAME

    grain = PUBLISHED_TABLES_BY_NAME[table].grain
    columns, after_columns = ([(name, type_) for name, type_, *_ in
                               con.execute(f"describe select * from read_parquet('{p}')").fetchall()]
                              for p in (before, after))
    if columns != after_columns:
        return {}, [f"columns differ: {columns} != {after_columns}"]
    floats = [name for name, type_ in columns if type_ in FLOAT_TYPES]
    exact = [name for name, _ in columns if name not in floats and name not in grain]
    on = " and ".join(f'b."{k}" = a."{k}"' for k in grain)
    relative = [f'max(case when b."{c}" = a."{c}" then 0 else abs(a."{c}" - b."{c}") '
                f'/ greatest(abs(b."{c}"), abs(a."{c}")) end)' for c in floats]
    problems = [f'"{c}" NULL on one side only' for c in floats]
    problems_sql = [f'count(*) filter (where (b."{c}" is null) <> (a."{c}" is null))' for c in floats]
    problems += [f'"{c}" differs' for c in exact]
    problems_sql += [f'count(*) filter (where b."{c}" is distinct from a."{c}")' for c in exact]
    problems += ["rows only before", "rows only after"]
    problems_sql += [f'count(*) filter (where {side}."{grain[0]}" is null)' for side in ("a", "b")]
    row = con.execute(f"select {', '.join(relative + problems_sql)} from read_parquet('{before}') as b "
                      f"full join read_parquet('{after}') as a on {on}").fetchone()
    worst = {c: (row[i] or 0.0) for i, c in enumerate(floats)}
    counts = row[len(floats):]
    return worst, [f"{label}: {n} rows" for label, n in zip(problems, counts, strict=True) if n]


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
    parser.add_argument("--tolerance", type=float, default=None, metavar="REL",
                        help="let float columns differ by up to REL relative; print the largest difference per column")
    args = parser.parse_args(argv)
    if args.tolerance is not None:
        return compare_with_tolerance(args.before, args.after, args.tolerance)
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


def compare_with_tolerance(before: Path, after: Path, tolerance: float) -> int:
    left, right = tables(before), tables(after)
    failed = []
    with contextlib.closing(duckdb.connect()) as con:
        for table in sorted(left.keys() | right.keys()):
            if table not in left or table not in right:
                print(f"{table}: published only {'after' if table in right else 'before'}")
                failed.append(table)
                continue
            worst, problems = largest_relative_differences(con, table, left[table], right[table])
            largest = max(worst.values(), default=0.0)
            ok = not problems and largest <= tolerance
            print(f"{table}: {'within tolerance' if ok else 'DIFFERENT'} (largest relative difference {largest:.3g})")
            for column, value in worst.items():
                if value:
                    print(f"    {column}: {value:.3g}")
            for problem in problems:
                print(f"    {problem}")
            if not ok:
                failed.append(table)
    total = len(left.keys() | right.keys())
    print(f"{total - len(failed)} of {total} tables within a relative difference of {tolerance:g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
