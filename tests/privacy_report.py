"""The figures of docs/privacy.md for one warehouse, reproducible:

    PYTHONPATH=. .venv/bin/python -m tests.privacy_report data/warehouse.duckdb [--max-cells 2]

Prints how exit_reasons splits (shown, primary, complementary), how long the suppression takes on
the warehouse's candidate rows, and what the attacker finds with and without the complementary
step (groups of at most ``--max-cells`` cells; default any).
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import time

import duckdb

from dagster_project.config import DBT_PROJECT_DIR
from tests.privacy_attacker import attack

SUPPRESSION_MODEL = DBT_PROJECT_DIR / "models" / "intermediate" / "int_hr__exit_reason_suppression.py"


def suppression_model():
    """The dbt Python model's module (its functions are plain pandas/scipy)."""
    spec = importlib.util.spec_from_file_location("int_hr__exit_reason_suppression", SUPPRESSION_MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse")
    parser.add_argument("--max-cells", type=int, default=None)
    args = parser.parse_args()
    model = suppression_model()
    with duckdb.connect(args.warehouse, read_only=True) as con:
        bridge = con.sql("select * from marts.hub_headcount_bridge").df()
        rows = con.sql("select * from intermediate.int_hr__exit_reason_rows").df()
        cells = con.sql("select * from intermediate.int_hr__exit_reason_cells").df()
    k = int(rows["min_group_size"].iloc[0])
    for complementary in (True, False):
        start = time.perf_counter()
        decided = model.suppress(rows, cells, k, complementary=complementary)
        seconds = time.perf_counter() - start
        split = decided["suppression"].fillna("shown").value_counts().to_dict()
        findings = attack(bridge, [rows.merge(decided, on=model.KEY)], k, max_cells=args.max_cells)
        kinds = collections.Counter(f"{f.how} {f.reason}" for f in findings)
        print(f"{'with' if complementary else 'without'} complementary: {len(rows)} rows {split}, "
              f"suppression {seconds:.1f} s; attacker findings (group x reason): {len(findings)} {dict(kinds)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
