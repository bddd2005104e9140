"""Peak resident memory of a process (by default this one) and its children, sampled in a
background thread."""

from __future__ import annotations

import contextlib
import threading
import time

import psutil


class RssSampler:
    """Samples (time, RSS of the process tree) every ``interval`` seconds while running."""

    def __init__(self, process: psutil.Process | None = None, interval: float = 0.05):
        self.process, self.interval, self.samples = process or psutil.Process(), interval, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                tree = [self.process, *self.process.children(recursive=True)]
            except psutil.Error:  # the process has ended
                tree = []
            for process in tree:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
            self.samples.append((time.time(), total))
            time.sleep(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, start: float | None = None, end: float | None = None) -> int:
        window = [rss for t, rss in self.samples
                  if (start is None or t >= start) and (end is None or t <= end)]
        return max(window, default=0)
