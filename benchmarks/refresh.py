"""Full nightly refresh of one scale, headless, against two baselines in the same invocation.

    python -m benchmarks.refresh --scale demo|medium|large [--write-docs]

Generates the scale once into benchmarks/.cache/<scale>/ (seed 42), then measures:
- the pipeline: the `refresh_all` job in process (ingest, source validation, dbt build, KPI
  validation, publish), wall time and peak RSS of the process tree per stage;
- (a) the DuckDB floor: the same work as plain SQL in one process (benchmarks/floor.py);
- (b) the analyst's alternative: headline KPIs in plain pandas (benchmarks/analyst.py).
Prints a table and ratios; with --write-docs, records them in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import psutil

from benchmarks.sampler import RssSampler
from dagster_project.config import PROJECT_ROOT
from dagster_project.contract import SOURCES
from dagster_project.ingest import locate

CACHE = PROJECT_ROOT / "benchmarks" / ".cache"
DOCS = PROJECT_ROOT / "docs" / "benchmarks.md"
STAGES = ("ingest", "source validation", "dbt build", "KPI validation", "publish")


def stage_of(step_key: str) -> str:
    if step_key.startswith("gx_"):
        return "source validation" if step_key == "gx_sources" else "KPI validation"
    if step_key.startswith("raw__"):
        return "ingest"
    return "publish" if step_key.startswith("published__") else "dbt build"


def dataset(scale: str) -> tuple[Path, int]:
    from dagster_project.synthetic import SCALES, generate

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


def run_pipeline(source_dir: Path, work: Path) -> tuple[dict, dict, float, int]:
    """(seconds per stage, peak RSS per stage, wall seconds, peak RSS) of one refresh."""
    os.environ.update({"KPI_SOURCE_DIR": str(source_dir), "KPI_WAREHOUSE": str(work / "warehouse.duckdb"),
                       "KPI_PUBLISH_DIR": str(work / "published")})
    import dagster as dg

    from dagster_project.run import refresh

    started = time.perf_counter()
    with RssSampler() as sampler:
        instance = dg.DagsterInstance.ephemeral()
        result = refresh(instance)
        assert result.success
    wall = time.perf_counter() - started
    seconds, peaks = {s: 0.0 for s in STAGES}, {s: 0 for s in STAGES}
    for step in instance.get_run_step_stats(result.run_id):
        stage = stage_of(step.step_key)
        seconds[stage] += step.end_time - step.start_time
        peaks[stage] = max(peaks[stage], sampler.peak(step.start_time, step.end_time))
    return seconds, peaks, wall, sampler.peak()


def measure(scale: str) -> dict:
    from benchmarks.analyst import run_analyst
    from benchmarks.floor import run_floor

    source_dir, rows = dataset(scale)
    with tempfile.TemporaryDirectory(prefix=f"bench-{scale}-") as tmp:
        work = Path(tmp)
        seconds, peaks, wall, peak = run_pipeline(source_dir, work)
        with RssSampler() as floor_sampler:
            floor = run_floor(source_dir, work / "floor.duckdb")
        floor_wall = sum(floor.values())  # its dbt compile is set-up, outside the floor
        started = time.perf_counter()
        with RssSampler() as analyst_sampler:
            analyst = run_analyst(source_dir)
        analyst_wall = time.perf_counter() - started
    return {"scale": scale, "rows": rows, "stages": seconds, "stage_peaks": peaks, "wall": wall, "peak": peak,
            "floor": floor, "floor_wall": floor_wall, "floor_peak": floor_sampler.peak(),
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
        f"| **total** (wall, incl. manifest parse and start-up) | **{m['wall']:.1f}** | **{m['peak'] / gib:.2f}** | "
        f"**{m['floor_wall']:.1f}** |",
        "",
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("demo", "medium", "large"), default="demo")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    m = measure(args.scale)
    machine = (f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} cores, "
               f"{psutil.virtual_memory().total / 1024 ** 3:.0f} GiB, Python {platform.python_version()}, "
               f"{dt.date.today()}")
    section = render(m) + f"\n_Machine: {machine}._\n"
    print(section)
    if args.write_docs:
        write_docs(section, args.scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
