"""The nightly refresh on DuckDB and on local Spark, the same sources, in one invocation.

    python -m benchmarks.refresh --scale demo|medium|large --engine spark [--repeat 1] [--write-docs]

Each engine runs the pipeline as ``make run`` does (``KPI_ENGINE=duckdb`` then ``spark``: fresh
process, Dagster home of its own) ``--repeat`` times; the median run is reported per stage with
the peak RSS of the process tree (for Spark the JVM that pyspark starts inside the dbt process is
part of the tree). Ingestion, the GX checks and publishing are the same code on both engines:
the difference is the dbt build (and, on Spark, the landing and mirroring inside that step).
"""

from __future__ import annotations

import shutil

from benchmarks.refresh import CACHE, STAGES, dataset, median_run, run_pipeline

ENGINES = ("duckdb", "spark")


def measure_engines(scale: str, repeat: int) -> dict:
    source_dir, rows = dataset(scale)
    measured = {}
    for engine in ENGINES:
        work = CACHE / f"{scale}.{engine}.work"
        runs = []
        for _ in range(repeat):
            shutil.rmtree(work, ignore_errors=True)
            runs.append(run_pipeline(source_dir, work, engine))
        shutil.rmtree(work, ignore_errors=True)
        measured[engine] = {**median_run(runs, lambda r: r["wall"]), "walls": [r["wall"] for r in runs]}
    return {"scale": scale, "rows": rows, "engines": measured}


def render_engines(m: dict) -> str:
    gib = 1024 ** 3
    duck, spark = m["engines"]["duckdb"], m["engines"]["spark"]
    lines = [f"### {m['scale']} on two engines — {m['rows']:,} source rows", "",
             "| stage | DuckDB s | DuckDB peak GiB | Spark s | Spark peak GiB | Spark / DuckDB |",
             "|---|---:|---:|---:|---:|---:|"]
    for stage in STAGES:
        d, s = duck["stages"][stage], spark["stages"][stage]
        lines.append(f"| {stage} | {d:.1f} | {duck['stage_peaks'][stage] / gib:.2f} | {s:.1f} | "
                     f"{spark['stage_peaks'][stage] / gib:.2f} | {s / d if d else float('nan'):.1f}× |")
    lines += [f"| **total** (wall) | **{duck['wall']:.1f}** | **{duck['peak'] / gib:.2f}** | **{spark['wall']:.1f}** | "
              f"**{spark['peak'] / gib:.2f}** | **{spark['wall'] / duck['wall']:.1f}×** |", "",
              f"- runs (wall s): DuckDB {', '.join(f'{w:.1f}' for w in sorted(duck['walls']))}; "
              f"Spark {', '.join(f'{w:.1f}' for w in sorted(spark['walls']))}",
              f"- `dbt parse` before the run: DuckDB {duck['parse']:.1f} s, Spark {spark['parse']:.1f} s", ""]
    return "\n".join(lines)
