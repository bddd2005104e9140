"""``make ui``: the Dagster UI on one port, with the daemon that runs the schedule, the sensor and
the runs launched from the UI, until Ctrl-C.

Dagster's two services are started as deployed: ``dagster-webserver`` and ``dagster-daemon run``
on ``workspace.yaml`` and the instance in ``$DAGSTER_HOME``. (``dagster dev``, which does the
same, warns that it is superseded by ``dg dev``; ``dg dev`` needs the dagster-dg-cli package and a
``dg`` project layout, and starts ``dagster dev`` underneath.) Each service runs in a process
group of its own with its code server, so the terminal's Ctrl-C reaches this process only, which
interrupts each service once; a service gets ``GRACE_SECONDS`` to stop its code server and exit,
then its process group gets SIGTERM and, ``TERM_SECONDS`` later, SIGKILL. (The daemon's code
server otherwise waits up to 60 s for open calls: the 80 s shutdowns of ``dagster dev``.)
SIGTERM stops the UI the same way.

    python -m dagster_project.ui [--host 127.0.0.1] [--port 3000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dagster_project.config import PROJECT_ROOT

GRACE_SECONDS = 5  # the daemon's own threads stop in about a second; its code server waits up to 60 s
TERM_SECONDS = 3  # then SIGTERM to what is left, so that a run in progress records its end
BIN = Path(sys.executable).parent


def services(host: str, port: int) -> dict[str, list[str]]:
    """The command of each service, on the project's workspace.yaml."""
    workspace = ["-w", str(PROJECT_ROOT / "workspace.yaml")]
    return {
        "webserver": [str(BIN / "dagster-webserver"), *workspace, "-h", host, "-p", str(port)],
        "daemon": [str(BIN / "dagster-daemon"), "run", *workspace],
    }


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` now (read from /proc), whatever its process group or session."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def stop(processes: dict[str, subprocess.Popen], grace: float = GRACE_SECONDS) -> None:
    """Interrupt every running service, wait up to ``grace`` seconds in all, then terminate and
    kill what is left of each service's process group (a code server it did not stop), and last
    any process they had started in a session of its own (a run worker, a code server)."""
    started = descendants(os.getpid())
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + grace
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop within {grace} s: terminated", file=sys.stderr)
        _signal_group(process, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=TERM_SECONDS)
        _signal_group(process, signal.SIGKILL)
        process.wait()
    for pid in started:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _start(command: list[str]) -> subprocess.Popen:
    """A service in a new process group, with the default SIGINT handling (a shell that starts
    this process in the background makes it ignore SIGINT, which children would inherit)."""
    return subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def create_instance_storage() -> None:
    """Create the instance's storage (runs, events, schedules) before the two services open it:
    started together on a new Dagster home, both create its SQLite tables, and the slower one
    fails (``table alembic_version already exists``)."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        instance.get_runs(limit=1)
        instance.all_instigator_state()
        instance.get_latest_materialization_event(dg.AssetKey("storage_created"))


def serve(host: str, port: int) -> int:
    """Run both services until one exits or this process is interrupted (SIGINT or SIGTERM)."""
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / "dagster_home"))
    for signum in (signal.SIGINT, signal.SIGTERM):  # a service manager's stop is a Ctrl-C too
        signal.signal(signum, signal.default_int_handler)
    create_instance_storage()
    processes = {name: _start(command) for name, command in services(host, port).items()}
    print(f"Dagster UI: http://{host}:{port} (Ctrl-C to stop)", flush=True)
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        failed = [name for name, p in processes.items() if p.poll() is not None]
        print(f"{', '.join(failed)} exited: stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    return serve(args.host, args.port)


if __name__ == "__main__":
    raise SystemExit(main())
