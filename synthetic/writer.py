"""Streaming CSV output: chunks of rows appended to a plain or gzip-compressed file."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd


class CsvSink:
    """Writes a header once, then appends DataFrame chunks; ``rows`` counts what was written."""

    def __init__(self, path: Path, columns: list[str]):
        self.path, self.columns, self.rows = path, columns, 0
        path.parent.mkdir(parents=True, exist_ok=True)
        # mtime=0 keeps gzip output byte-identical for a seed
        self._fh = gzip.GzipFile(path, "wb", mtime=0, compresslevel=6) if path.name.endswith(".gz") \
            else open(path, "wb")  # noqa: SIM115 - the sink owns the handle; close() and __exit__ close it
        self._fh.write((",".join(columns) + "\n").encode())

    def write(self, frame: pd.DataFrame) -> None:
        if len(frame):
            text = frame[self.columns].to_csv(index=False, header=False, lineterminator="\n")
            self._fh.write(text.encode("utf-8"))
            self.rows += len(frame)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> CsvSink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_csv(path: Path, frame: pd.DataFrame) -> int:
    with CsvSink(path, list(frame.columns)) as sink:
        sink.write(frame)
        return sink.rows
