"""The nightly refresh on DuckDB and on local Spark, the same sources, in one invocation.

    python -m benchmarks.refresh --scale medium large --engine spark [--repeat 1] [--write-docs]

Each engine runs the pipeline as ``make run`` does (``KPI_ENGINE=duckdb`` then ``spark``: fresh
process, Dagster home of its own) ``--repeat`` times; the median run is reported per stage with
the peak RSS of the process tree (for Spark the JVM that pyspark starts inside the dbt process is
part of the tree; so is the JVM the GX checks start in the run's process). Per stage, what differs
on Spark: ingestion also lands each source as Parquet; the GX suites run through GX's Spark
datasource; dbt builds in a SparkSession and the published marts are mirrored into DuckDB; the
publication is the same code. With several scales, :func:`render_scaling` fits each engine's
time to ``fixed + rows x per-row cost`` between the two largest scales measured.
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


def _fit(small: dict, large: dict, seconds) -> tuple[float, float]:
    """(fixed s, s per million rows) of the line through two scales' ``seconds(engine run)``."""
    per_million = (seconds(large["run"]) - seconds(small["run"])) / ((large["rows"] - small["rows"]) / 1e6)
    return seconds(small["run"]) - per_million * small["rows"] / 1e6, per_million


def render_scaling(measured: list[dict]) -> str:
    """How each engine's time grows with the rows: per scale the wall time and the dbt stage, and
    the line through the two largest scales (fixed cost, cost per million source rows)."""
    ordered = sorted(measured, key=lambda m: m["rows"])
    lines = ["### How the time grows with the data, per engine", "",
             "| engine | " + " | ".join(f"{m['scale']} ({m['rows'] / 1e6:.1f} M rows) wall s, dbt s" for m in ordered)
             + " | fixed s (wall) | s per M rows (wall) | s per M rows (dbt) |",
             "|---|" + "---:|" * (len(ordered) + 3)]
    small, large = ordered[-2], ordered[-1]
    for engine in ENGINES:
        cells = [f"{m['engines'][engine]['wall']:.1f}, {m['engines'][engine]['stages']['dbt build']:.1f}"
                 for m in ordered]
        points = [{"rows": m["rows"], "run": m["engines"][engine]} for m in (small, large)]
        fixed, per_million = _fit(*points, lambda run: run["wall"])
        _, dbt_per_million = _fit(*points, lambda run: run["stages"]["dbt build"])
        fit = f"{fixed:.0f} | {per_million:.1f} | {dbt_per_million:.1f}"
        lines.append(f"| {engine} | " + " | ".join(cells) + f" | {fit} |")
    return "\n".join(lines) + "\n"
