"""Kill refreshes at random moments and check that nothing needs a hand and nothing is ever half-published.

    python -m benchmarks.kill_runs [--runs 20] [--seed 7] [--sources seeds]

In a scratch folder (its own warehouse, publish directory and Dagster home): one good refresh
(timed), then ``--runs`` refreshes each started as ``make run`` starts it (``python -m
dagster_project.run``, a process group of its own) and SIGKILLed as a whole at a moment drawn
uniformly between 0 and 1.1 × the good run's duration (a late draw lets the run finish). Each
next refresh starts with no manual step; it must clear what the dead one left (the lines it logs
starting ``recovered:``), and the last, never killed, must succeed. Throughout, a watcher
checksums the release the publication link points to every 0.3 s: a release must be complete
(its manifest's Parquet files and report present) and never change once linked.

Prints the counts: kills per stage, recoveries, runs that finished before their kill, whole /
not-whole publication checks, and whether the final run succeeded. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import dagster as dg

from dagster_project.config import PROJECT_ROOT

STAGE_OF_STEP = (("raw", "ingest"), ("gx_sources", "source validation"), ("kpi_dbt_models", "dbt"),
                 ("gx_marts", "KPI validation"), ("kpi_publication", "publish"))


class PublicationWatcher(threading.Thread):
    """Checks, every ``period`` seconds, that the linked release is complete and unchanged."""

    def __init__(self, publish_dir: Path, period: float = 0.3):
        super().__init__(daemon=True)
        self.publish_dir, self.period = publish_dir, period
        self.seen: dict[str, str] = {}
        self.checks, self.broken = 0, []
        self.stop = threading.Event()

    def check(self) -> None:
        if not self.publish_dir.is_symlink():
            return
        release = self.publish_dir.resolve()
        try:
            manifest = json.loads((release / "manifest.json").read_text())
            missing = [t for t, info in manifest["tables"].items() if not (release / info["parquet"]).is_file()]
            if missing or not (release / "report" / "index.html").is_file() or not (release / "kpi.duckdb").is_file():
                self.broken.append(f"{release.name}: incomplete ({missing or 'report or kpi.duckdb'})")
            digest = hashlib.sha256()
            for path in sorted(p for p in release.rglob("*") if p.is_file()):
                digest.update(path.name.encode() + path.read_bytes())
        except FileNotFoundError:
            if self.publish_dir.resolve() != release:
                return  # swapped while read: read the new one next time
            raise
        except (OSError, ValueError, KeyError) as error:
            self.broken.append(f"{release.name}: {error}")
            return
        self.checks += 1
        if self.seen.setdefault(release.name, digest.hexdigest()) != digest.hexdigest():
            self.broken.append(f"{release.name}: changed after it was linked")

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.check()
            except FileNotFoundError as error:
                self.broken.append(str(error))
            time.sleep(self.period)


def start(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dagster_project.run"], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def stage_of(instance: dg.DagsterInstance, run_id: str | None) -> str:
    if run_id is None:
        return "before its run was created"
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_START).records
    if not records:
        return "before its first step"
    step = records[-1].event_log_entry.step_key
    return next(stage for prefix, stage in STAGE_OF_STEP if step.startswith(prefix))


def recovered_lines(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    return [e.user_message for e in instance.all_logs(run_id) if e.user_message.startswith("recovered:")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sources", default=str(PROJECT_ROOT / "seeds"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="kill_runs-"))
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((PROJECT_ROOT / "dagster_home" / "dagster.yaml").read_text())
    env = {**os.environ, "DAGSTER_HOME": str(home), "KPI_SOURCE_DIR": args.sources,
           "KPI_WAREHOUSE": str(root / "warehouse.duckdb"), "KPI_PUBLISH_DIR": str(root / "published"),
           "PYTHONPATH": str(PROJECT_ROOT)}
    print(f"scratch folder: {root}")

    started = time.monotonic()
    if start(env).wait() != 0:
        print("the first, good run failed", file=sys.stderr)
        return 2
    full = time.monotonic() - started
    print(f"good run: {full:.1f} s; now {args.runs} runs killed at random moments in [0, {1.1 * full:.0f}] s")

    watcher = PublicationWatcher(root / "published")
    watcher.start()
    stages, finished, recoveries, dead = Counter(), 0, Counter(), set()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        known = {r.run_id for r in instance.get_runs()}

        def next_run() -> str | None:
            """The run the process recorded; what it recovered is counted, the dead it named cleared."""
            new = [r.run_id for r in instance.get_runs() if r.run_id not in known]
            known.update(new)
            for run_id in new:
                for line in recovered_lines(instance, run_id):
                    recoveries["partial release" if "incomplete" in line else
                               "unreadable warehouse" if "unreadable" in line else "dead run"] += 1
                    dead.difference_update({d for d in dead if d in line})
            return new[0] if new else None

        for n in range(1, args.runs + 1):
            delay = rng.uniform(0, 1.1 * full)
            process = start(env)
            try:
                process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            run_id = next_run()
            if process.returncode == -signal.SIGKILL:
                stage = stage_of(instance, run_id)
                stages[stage] += 1
                dead.update([run_id] if run_id else [])
                print(f"run {n:2d}: killed at {delay:5.1f} s, in {stage}")
            else:
                finished += 1
                print(f"run {n:2d}: finished before its kill at {delay:.1f} s (exit {process.returncode})")
        final = start(env).wait()
        next_run()
        unfinished = [r.run_id for r in instance.get_runs() if not r.is_finished]
    watcher.stop.set()
    watcher.join()
    watcher.check()

    print(f"\nkilled: {sum(stages.values())} ({', '.join(f'{s}: {c}' for s, c in stages.items())}); "
          f"finished before the kill: {finished}")
    print(f"recovery lines of the next runs: {dict(recoveries)}; "
          f"killed runs never cleared by a later run: {len(dead)}")
    print(f"runs left unfinished in the Dagster home: {len(unfinished)}")
    print(f"publication checks: {watcher.checks} whole, {len(watcher.broken)} not whole {watcher.broken[:3]}; "
          f"releases seen: {len(watcher.seen)}")
    print(f"final run: {'succeeded' if final == 0 else f'FAILED (exit {final})'}")
    ok = final == 0 and not watcher.broken and not unfinished
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
