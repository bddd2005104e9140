"""The nightly path beside ``make run``: a run launched through the instance and executed by a run
worker, as the schedule, the sensor and the UI's "Materialize all" run it.

    python -m benchmarks.launched --scale demo|medium|large [--repeat 3] [--write-docs]

Starts the UI's services (``python -m dagster_project.ui``: webserver and daemon, the project's
``dagster.yaml``, queued run coordinator, default run launcher) on a Dagster home of its own,
then alternates, ``--repeat`` times each, on the same sources, warehouse and publish folder:

- ``make run``: ``python -m dagster_project.run`` in a fresh process; its wall time and the peak
  RSS of its process tree (the run and its dbt subprocess);
- the launched path: ``launchRun`` through the webserver's GraphQL API; the time from the launch
  to the run's end as the instance records it (the daemon dequeues the run and the run launcher
  starts ``dagster api execute_run``, which loads the code location and executes the job), and
  the peak RSS of the run worker's process tree.

Prints medians, the ratio launched / make run, and with --write-docs records the table in
docs/benchmarks.md.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from benchmarks.refresh import CACHE, cli, dataset, sampled_make_run, timed
from benchmarks.sampler import RssSampler
from dagster_project.config import PROJECT_ROOT

LOCATION = "ai_transformation_kpis"
JOB = "refresh_all"
GIB = 1024 ** 3


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float, what: str, interval: float = 0.5):
    """The first true value of ``condition()``, polled every ``interval`` s; a TimeoutError
    naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def environment(source_dir: Path, work: Path) -> dict[str, str]:
    home = work / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home)
    return {**os.environ, "DAGSTER_HOME": str(home), "KPI_SOURCE_DIR": str(source_dir),
            "KPI_WAREHOUSE": str(work / "warehouse.duckdb"), "KPI_PUBLISH_DIR": str(work / "published")}


def make_run(env: dict[str, str], log: Path) -> dict:
    wall, sampler = sampled_make_run(env, log)
    return {"wall": wall, "peak": sampler.peak()}


class NewProcessesSampler(RssSampler):
    """Peak RSS of the processes under ``root`` started after ``since``: the run worker that the
    daemon's code server starts for a launched run (a multiprocessing child, whatever its
    command line), and the dbt process it starts."""

    def __init__(self, root: psutil.Process, since: float, interval: float = 0.05):
        super().__init__(root, interval)
        self.since = since

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for process in self.process.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if process.create_time() >= self.since:
                        total += process.memory_info().rss
            self.samples.append((time.time(), total))
            time.sleep(self.interval)


def launched_run(client, instance, daemon: psutil.Process) -> dict:
    from dagster import DagsterRunStatus

    started = time.time()
    with NewProcessesSampler(daemon, started - 1) as sampler:
        run_id = client.submit_job_execution(JOB, repository_location_name=LOCATION,
                                             repository_name="__repository__")
        wait_until(lambda: instance.get_run_by_id(run_id).is_finished, 3600, "the launched run")
    run = instance.get_run_by_id(run_id)
    if run.status != DagsterRunStatus.SUCCESS:
        raise SystemExit(f"launched run {run_id} ended {run.status}")
    return {"wall": instance.get_run_stats(run_id).end_time - started, "peak": sampler.peak(), "run_id": run_id}


def measure(scale: str, repeat: int) -> dict:
    import dagster as dg
    from dagster_graphql import DagsterGraphQLClient

    source_dir, rows = dataset(scale)
    work = CACHE / f"{scale}.launched"
    shutil.rmtree(work, ignore_errors=True)
    env = environment(source_dir, work)
    log = work / "services.log"
    parse = timed(lambda: subprocess.run([sys.executable, "-m", "dagster_project.prepare"], env=env, check=True))
    port = free_port()
    with log.open("wb") as output:
        ui = subprocess.Popen([sys.executable, "-m", "dagster_project.ui", "--port", str(port)], env=env,
                              cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: serving(f"http://127.0.0.1:{port}"), 600, "the webserver")
        daemon = wait_until(lambda: next((p for p in psutil.Process(ui.pid).children()
                                          if "dagster-daemon" in " ".join(p.cmdline())), None), 60, "the daemon")
        client = DagsterGraphQLClient("127.0.0.1", port_number=port)
        make_runs, launched = [], []
        os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
        with dg.DagsterInstance.get() as instance:
            for _ in range(repeat):
                make_runs.append(make_run(env, work / "make_run.log"))
                launched.append(launched_run(client, instance, daemon))
    finally:
        ui.send_signal(subprocess.signal.SIGINT)
        ui.wait(timeout=60)
    return {"scale": scale, "rows": rows, "parse": parse, "make_run": make_runs, "launched": launched}


def serving(url: str) -> bool:
    """Whether the Dagster webserver at ``url`` answers."""
    try:
        with urllib.request.urlopen(f"{url}/server_info", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def render(m: dict) -> str:
    def median(runs, field):
        return statistics.median(r[field] for r in runs)

    make_wall, launched_wall = median(m["make_run"], "wall"), median(m["launched"], "wall")
    lines = [
        f"### {m['scale']} — {m['rows']:,} source rows: `make run` vs the launched path",
        "",
        "| path | median s | runs s | peak RSS GiB (median) |",
        "|---|---:|---|---:|",
    ]
    for name, runs in (("`make run` (`python -m dagster_project.run`)", m["make_run"]),
                       ("launched (launchRun → daemon → run worker)", m["launched"])):
        walls = ", ".join(f"{r['wall']:.1f}" for r in runs)
        lines.append(f"| {name} | {median(runs, 'wall'):.1f} | {walls} | {median(runs, 'peak') / GIB:.2f} |")
    lines += ["", f"- launched / make run: **{launched_wall / make_wall:.2f}×** (target ≤ 1.10×)",
              f"- `dbt parse` once before both, not in either: {m['parse']:.1f} s", ""]
    return "\n".join(lines)


def main() -> int:
    return cli(__doc__, lambda scale, repeat: render(measure(scale, repeat)), lambda scale: f"launched-{scale}")

if __name__ == "__main__":
    raise SystemExit(main())
