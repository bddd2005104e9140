"""A self-contained HTML report of one publication: ``<publish_dir>/report/index.html``.

Built from the published tables and manifest only (:mod:`.data`), with the executive summary's
figures and sentences from :mod:`.story`, the embedded chart data from :mod:`.payload`, and one
HTML file with inline CSS and JavaScript from :mod:`.html` (charts: ``assets/charts.js``).
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster_project.report.data import read_publication
from dagster_project.report.html import render

REPORT_DIR = "report"


def build_report(publish_dir: Path) -> Path:
    """Write ``<publish_dir>/report/index.html`` from the publication in ``publish_dir``; return its path."""
    publish_dir = Path(publish_dir)
    text = render(read_publication(publish_dir))
    folder = publish_dir / REPORT_DIR
    folder.mkdir(exist_ok=True)
    target = folder / "index.html"
    partial = folder / ".index.html.tmp"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)  # a reader never sees half a report
    return target


__all__ = ["REPORT_DIR", "build_report"]
