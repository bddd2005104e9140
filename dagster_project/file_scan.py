"""One pass over a source file's bytes: its SHA-256 and whether it may hold control characters.

docs/sources.md forbids control characters (U+0000-U+001F) in every text value. Testing each
field in SQL costs seconds per ten million rows; this scan looks for the bytes instead (while
DuckDB reads the file on another thread). Outside line ends, any byte below 0x20 is one; a line
feed or carriage return inside a quoted field shows as fewer rows than lines. Only when the scan
finds either does ingestion search the loaded table for the offending value.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 20
CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\r\n")


@dataclass(frozen=True)
class FileScan:
    sha256: str  # of the file as stored (compressed if .gz)
    lines: int  # lines of the (decompressed) text, a last line without line feed included
    has_control: bool  # a control byte other than a line end, or a carriage return alone

    def may_hold_control(self, rows: int) -> bool:
        """True unless every one of ``rows`` data rows is one line free of control bytes."""
        return self.has_control or rows != self.lines - 1


class _TextStats:
    def __init__(self) -> None:
        self.line_feeds = self.carriage_returns = self.crlf = 0
        self.control, self.last = False, b""

    def add(self, block: bytes) -> None:
        if not block:
            return
        self.control = self.control or any(b in block for b in CONTROL_BYTES)
        self.line_feeds += block.count(b"\n")
        self.carriage_returns += block.count(b"\r")
        self.crlf += block.count(b"\r\n") + (self.last == b"\r" and block[:1] == b"\n")
        self.last = block[-1:]

    def lines(self) -> int:
        return self.line_feeds + (self.last not in (b"", b"\n"))


def scan(path: Path) -> FileScan:
    """Hash ``path`` and look for control bytes in its text (gzip decompressed on the fly)."""
    digest, stats = hashlib.sha256(), _TextStats()
    inflate = zlib.decompressobj(wbits=31) if path.name.endswith(".gz") else None
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
            while inflate is not None and block:
                stats.add(inflate.decompress(block))
                block = inflate.unused_data  # a further gzip member follows
                if inflate.eof:
                    inflate = zlib.decompressobj(wbits=31)
            if inflate is None:
                stats.add(block)
    if inflate is not None:
        stats.add(inflate.flush())
    return FileScan(digest.hexdigest(), stats.lines(), stats.control or stats.carriage_returns != stats.crlf)
