"""Full nightly refresh of one scale, headless, against two baselines in the same invocation.

    python -m benchmarks.refresh --scale demo|medium|large [...] [--repeat 3] [--write-docs] [--engine spark]

Generates the scale once into benchmarks/.cache/<scale>/ (seed 42), then measures, ``--repeat``
times each (this VM's timings vary by several seconds; the median run is reported):
- the pipeline as ``make run`` runs it: ``python -m dagster_project.run`` in a fresh process
  with a Dagster home of its own (the project's instance settings), so interpreter start,
  imports and the run storage are in its wall time; per stage (ingest, source validation, dbt
  build, KPI validation, publish) the Dagster step durations and the peak RSS of the process
  tree;
- (a) the DuckDB floor: the same work as plain SQL in one process (benchmarks/floor.py);
- (b) once, the analyst's alternative: headline KPIs in plain pandas (benchmarks/analyst.py).
Prints a table and ratios; with --write-docs, records them in docs/benchmarks.md.
With ``--engine spark``: the same refresh on the DuckDB engine and on local Spark
(KPI_ENGINE=spark), one after the other in this invocation (benchmarks/engines.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil

from benchmarks.sampler import RssSampler
from dagster_project.config import PROJECT_ROOT
from dagster_project.contract import SOURCES
from dagster_project.defs.publish_asset import PUBLISH_STEP
from dagster_project.ingest import locate

CACHE = PROJECT_ROOT / "benchmarks" / ".cache"
DOCS = PROJECT_ROOT / "docs" / "benchmarks.md"
STAGES = ("ingest", "source validation", "dbt build", "KPI validation", "publish")


def stage_of(step_key: str) -> str:
    if step_key.startswith("gx_"):
        return "source validation" if step_key == "gx_sources" else "KPI validation"
    if step_key.startswith("raw__"):
        return "ingest"
    return "publish" if step_key == PUBLISH_STEP else "dbt build"


def dataset(scale: str) -> tuple[Path, int]:
    from synthetic import SCALES, generate

    folder = CACHE / scale
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(SCALES[scale], 42, folder, log=lambda *_: None)
        (folder / ".complete").write_text("seed 42\n")
    rows = 0
    for source in SOURCES:
        path = locate(folder, source)
        rows += duckdb.sql(f"select count(*) from read_csv('{path}')").fetchall()[0][0]
    return folder, rows


def sampled_make_run(env: dict[str, str], log: Path) -> tuple[float, RssSampler]:
    """``make run``'s entry point in a fresh process, its output appended to ``log``: the wall time
    and the RSS sampler of its process tree (SystemExit, with the log's tail, if it fails)."""
    started = time.perf_counter()
    with log.open("ab") as output:
        process = subprocess.Popen([sys.executable, "-m", "dagster_project.run"], env=env, cwd=PROJECT_ROOT,
                                   stdout=output, stderr=subprocess.STDOUT)
        with RssSampler(psutil.Process(process.pid)) as sampler:
            code = process.wait()
    wall = time.perf_counter() - started
    if code:
        raise SystemExit(f"make run failed (exit {code}):\n{log.read_text()[-3000:]}")
    return wall, sampler


def run_pipeline(source_dir: Path, work: Path, engine: str = "duckdb") -> dict:
    """One nightly refresh into ``work``, as ``make run`` does it, in a fresh process.

    The dbt parse a deployment does once (and again only when the dbt project, the warehouse
    path or the parameters change) is timed apart, before the run; the run itself checks that
    the parse is current, as every nightly run does.
    """
    home = work / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home)
    env = {**os.environ, "DAGSTER_HOME": str(home), "KPI_SOURCE_DIR": str(source_dir),
           "KPI_WAREHOUSE": str(work / "warehouse.duckdb"), "KPI_PUBLISH_DIR": str(work / "published"),
           "KPI_ENGINE": engine, "KPI_SPARK_DIR": str(work / "spark"), "KPI_LANDING_DIR": str(work / "landing")}
    parse = timed(lambda: subprocess.run([sys.executable, "-m", "dagster_project.prepare"], env=env, check=True))
    wall, sampler = sampled_make_run(env, work / "run.log")
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs(limit=1)
        steps = instance.get_run_step_stats(run.run_id)
    seconds, peaks = {s: 0.0 for s in STAGES}, {s: 0 for s in STAGES}
    for step in steps:
        stage = stage_of(step.step_key)
        seconds[stage] += step.end_time - step.start_time
        peaks[stage] = max(peaks[stage], sampler.peak(step.start_time, step.end_time))
    return {"stages": seconds, "stage_peaks": peaks, "wall": wall, "peak": sampler.peak(), "parse": parse}


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_run(runs: list[dict], wall) -> dict:
    """The run of median wall time (the lower middle one of an even number)."""
    ordered = sorted(runs, key=wall)
    return ordered[(len(ordered) - 1) // 2]


def measure(scale: str, repeat: int) -> dict:
    from benchmarks.analyst import run_analyst
    from benchmarks.floor import run_floor

    source_dir, rows = dataset(scale)
    work = CACHE / f"{scale}.work"  # the same warehouse path every time, as in production
    pipeline_runs, floor_runs = [], []
    for _ in range(repeat):
        shutil.rmtree(work, ignore_errors=True)
        pipeline_runs.append(run_pipeline(source_dir, work))
        with RssSampler() as floor_sampler:
            floor = run_floor(source_dir, work / "floor.duckdb")
        floor_runs.append({"stages": floor, "wall": sum(floor.values()),  # its dbt compile is set-up
                           "peak": floor_sampler.peak()})
    started = time.perf_counter()
    with RssSampler() as analyst_sampler:
        analyst = run_analyst(source_dir)
    analyst_wall = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)
    pipeline = median_run(pipeline_runs, lambda r: r["wall"])
    floor = median_run(floor_runs, lambda r: r["wall"])
    return {"scale": scale, "rows": rows, **pipeline, "parse": max(r["parse"] for r in pipeline_runs),
            "walls": [r["wall"] for r in pipeline_runs], "floor": floor["stages"], "floor_wall": floor["wall"],
            "floor_walls": [r["wall"] for r in floor_runs], "floor_peak": floor["peak"],
            "analyst": analyst, "analyst_wall": analyst_wall, "analyst_peak": analyst_sampler.peak()}


def render(m: dict) -> str:
    gib = 1024 ** 3
    validation = m["stages"]["source validation"] + m["stages"]["KPI validation"]
    lines = [
        f"### {m['scale']} — {m['rows']:,} source rows",
        "",
        "| stage | pipeline s | pipeline peak RSS GiB | floor s |",
        "|---|---:|---:|---:|",
    ]
    for stage in STAGES:
        lines.append(f"| {stage} | {m['stages'][stage]:.1f} | {m['stage_peaks'][stage] / gib:.2f} | "
                     f"{m['floor'][stage]:.1f} |")
    lines += [
        f"| **total** (wall, incl. start-up) | **{m['wall']:.1f}** | **{m['peak'] / gib:.2f}** | "
        f"**{m['floor_wall']:.1f}** |",
        "",
        f"- {len(m['walls'])} runs each, median shown: pipeline "
        f"{', '.join(f'{w:.1f}' for w in sorted(m['walls']))} s; floor "
        f"{', '.join(f'{w:.1f}' for w in sorted(m['floor_walls']))} s",
        f"- not in the run: `dbt parse`, {m['parse']:.1f} s, once per deployment (again only when the dbt "
        f"project, the warehouse path or the parameters change)",
        f"- rows/s through the pipeline: {m['rows'] / m['wall']:,.0f}; floor: {m['rows'] / m['floor_wall']:,.0f}",
        f"- pipeline / floor: **{m['wall'] / m['floor_wall']:.2f}×** (target ≤ 1.5×)",
        f"- validation share of the run: **{validation / m['wall']:.0%}** (target ≤ 25 %)",
        f"- analyst's pandas ({', '.join(m['analyst'])}): {m['analyst_wall']:.1f} s, peak "
        f"{m['analyst_peak'] / gib:.2f} GiB — {m['analyst_wall'] / m['wall']:.2f}× the pipeline's wall time "
        f"for four KPIs without validation or publication",
        "",
    ]
    return "\n".join(lines)


def write_docs(section: str, scale: str) -> None:
    text = DOCS.read_text() if DOCS.exists() else ""
    begin, end = f"<!-- {scale}:begin -->", f"<!-- {scale}:end -->"
    block = f"{begin}\n{section}\n{end}"
    if begin in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text += "\n" + block + "\n"
    DOCS.write_text(text)


def machine() -> str:
    """The machine and its load, printed under every benchmark table."""
    return (f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 1024 ** 3:.0f} GiB, Python {platform.python_version()}, "
            f"{dt.date.today()}, load average (1 min) at the end {os.getloadavg()[0]:.1f}")


def cli(description: str, measure_and_render, docs_key, engines: bool = False) -> int:
    """The command line of a benchmark: --scale (one or more), --repeat, --write-docs (and
    --engine with ``engines``); for each scale, prints the section ``measure_and_render(scale,
    repeat)`` makes, with the machine, and records it under ``docs_key(scale)`` in
    docs/benchmarks.md with --write-docs. On two engines and several scales, a last section
    compares how each engine's time grows with the data."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("demo", "medium", "large"), nargs="+", default=["demo"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    if engines:
        parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                            help="spark: DuckDB and local Spark, both measured in this invocation")
    args = parser.parse_args()
    sections = []
    if getattr(args, "engine", "duckdb") == "spark":
        from benchmarks.engines import measure_engines, render_engines, render_scaling

        measured = [measure_engines(scale, args.repeat) for scale in args.scale]
        sections += [(render_engines(m), f"{m['scale']}-spark") for m in measured]
        if len(measured) > 1:
            sections.append((render_scaling(measured), "spark-scaling"))
    else:
        sections += [(measure_and_render(scale, args.repeat), docs_key(scale)) for scale in args.scale]
    for section, key in sections:
        section += f"\n_Machine: {machine()}._\n"
        print(section)
        if args.write_docs:
            write_docs(section, key)
    return 0


def main() -> int:
    return cli(__doc__, lambda scale, repeat: render(measure(scale, repeat)), lambda scale: scale, engines=True)


if __name__ == "__main__":
    raise SystemExit(main())
