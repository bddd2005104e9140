"""One refresh at a time: an OS file lock on the warehouse and on the publish directory.

Whatever starts a refresh (``make run``, the UI, the nightly schedule, the new-files sensor),
the run takes two ``flock`` locks before its first step touches anything: ``<warehouse>.lock``
and ``<publish dir>.lock`` (beside the warehouse file and the publication link). A second
refresh on either refuses at once with :class:`RefreshLocked`, whose message names the run id,
the start time and the PID of the one running; it changes nothing. Refusing, not waiting: a
queued refresh would publish data older than the one that just finished, and the nightly
schedule and the sensor retry on their own.

The lock files hold the holder (run id, start time, PID, host) while the run lasts and are
emptied when it ends. The kernel releases a ``flock`` when its process dies, however it dies,
so a killed run never blocks the next one: that one takes the lock, finds the dead run's
record still in the file, and clears what it left (:mod:`dagster_project.recovery`).

Every process of the run (dbt, any helper) inherits ``KPI_REFRESH_RUN_ID`` in its
environment, which is how the recovery finds the leftovers of a run whose main process was
killed alone.

Locks are per process and re-entrant for the same run: the resources that take it (the
warehouse and dbt, see :mod:`dagster_project.defs.resources`) are set up once per run by the
in-process executor, and share the one lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

RUN_ID_VARIABLE = "KPI_REFRESH_RUN_ID"


class RefreshLocked(RuntimeError):
    """Another refresh holds the warehouse or the publication; the message is one line."""


class GuardError(RuntimeError):
    """The lock file cannot be made (a read-only or full file system): the OS reason and path."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a refresh lock."""

    run_id: str
    started_at: str
    pid: int
    host: str

    @classmethod
    def me(cls, run_id: str) -> Holder:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return cls(run_id, now.isoformat().replace("+00:00", "Z"), os.getpid(), socket.gethostname())

    def describe(self) -> str:
        return f"run {self.run_id} started {self.started_at}, PID {self.pid}"


def lock_paths(warehouse: Path, publish_dir: Path) -> tuple[Path, ...]:
    """The lock files of a refresh: beside the warehouse and beside the publication link."""
    paths = {warehouse.with_name(warehouse.name + ".lock"), publish_dir.with_name(publish_dir.name + ".lock")}
    return tuple(sorted(paths))


def _records(path: Path) -> list[Holder]:
    """The holder recorded in a lock file, then the dead holders it had not cleared up yet."""
    try:
        record = json.loads(path.read_text())
        return [Holder(**h) for h in [{k: v for k, v in record.items() if k != "unrecovered"},
                                      *record.get("unrecovered", [])]]
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in a lock file (None if it is empty or unreadable)."""
    records = _records(path)
    return records[0] if records else None


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise GuardError(f"cannot create the refresh lock {path}: {error.strerror} [errno {error.errno}]") from error


def _write(fd: int, path: Path, holder: Holder | None, unrecovered: tuple[Holder, ...] = ()) -> None:
    """Record ``holder`` (None: empty the file), and the dead holders it has still to clear up: a
    run killed while it clears them up leaves them to the next one."""
    record = {**asdict(holder), "unrecovered": [asdict(h) for h in unrecovered]} if holder else None
    try:
        os.ftruncate(fd, 0)
        if record is not None:
            os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
        os.fsync(fd)
    except OSError as error:
        raise GuardError(f"cannot record the refresh in its lock {path}: {error.strerror} "
                         f"[errno {error.errno}]") from error


@dataclass
class HeldLock:
    """The open, locked files of one run, and the holders that died holding them before."""

    fds: dict[Path, int]
    holder: Holder
    dead: tuple[Holder, ...]
    users: int = 1

    def recovered(self) -> None:
        """What the dead holders left is cleared: forget them."""
        for path, fd in self.fds.items():
            _write(fd, path, self.holder)
        self.dead = ()


def acquire(paths: tuple[Path, ...], run_id: str) -> HeldLock:
    """Lock every file of ``paths`` without waiting, or raise :class:`RefreshLocked` (and hold none)."""
    fds: dict[Path, int] = {}
    try:
        for path in paths:
            fds[path] = fd = _open(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = read_holder(path)
                who = holder.describe() if holder else "its run id not yet recorded"
                raise RefreshLocked(f"refused: another refresh is running on {path.with_suffix('')} "
                                    f"({who}); this run changed nothing") from None
        dead = {h.run_id: h for path in paths for h in _records(path) if h.run_id != run_id}
        holder = Holder.me(run_id)
        for path, fd in fds.items():
            _write(fd, path, holder, tuple(dead.values()))
        return HeldLock(fds, holder, tuple(dead.values()))
    except BaseException:
        for fd in fds.values():
            os.close(fd)
        raise


def release(lock: HeldLock) -> None:
    """Empty the lock files (a clean end) and unlock them."""
    for path, fd in lock.fds.items():
        with contextlib.suppress(GuardError):
            _write(fd, path, None)
        os.close(fd)  # closing the only descriptor releases the flock


_held: dict[tuple[Path, ...], HeldLock] = {}
_held_guard = threading.Lock()


@contextlib.contextmanager
def refresh_lock(warehouse: Path, publish_dir: Path, run_id: str) -> Iterator[HeldLock]:
    """Hold the refresh lock of ``warehouse`` and ``publish_dir`` for run ``run_id``; re-entrant
    within this process for the same run (each resource of the run enters it once)."""
    paths = lock_paths(warehouse, publish_dir)
    with _held_guard:
        lock = _held.get(paths)
        if lock is not None and lock.holder.run_id != run_id:
            raise RefreshLocked(f"refused: another refresh is running on {paths[0].with_suffix('')} "
                                f"({lock.holder.describe()}); this run changed nothing")
        if lock is not None:
            lock.users += 1
        else:
            lock = _held[paths] = acquire(paths, run_id)
            os.environ[RUN_ID_VARIABLE] = run_id
    try:
        yield lock
    finally:
        with _held_guard:
            lock.users -= 1
            if lock.users == 0:
                del _held[paths]
                if os.environ.get(RUN_ID_VARIABLE) == run_id:
                    del os.environ[RUN_ID_VARIABLE]
                release(lock)


GUARD_ERRORS = (RefreshLocked.__name__, GuardError.__name__)


def guard_failure(events) -> tuple[str, str] | None:
    """Which guard error stopped a run, from its events (e.g. ``result.all_events``): the class
    name (``RefreshLocked`` or ``GuardError``) and its one-line message; None if none did.
    Dagster reports it as the cause of a resource initialisation error."""
    for event in events:
        error = getattr(event.event_specific_data, "error", None)
        while error is not None:
            if error.cls_name in GUARD_ERRORS:
                return error.cls_name, error.message.strip().split(f"{error.cls_name}: ", 1)[-1]
            error = error.cause or error.context
    return None
