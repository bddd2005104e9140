"""``python -m dagster_project.report [PUBLISH_DIR]``: rebuild the report of a publication and
print its path (default PUBLISH_DIR: KPI_PUBLISH_DIR, i.e. data/published)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dagster_project.report import build_report
from dagster_project.report.data import ReportDataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.report", description=__doc__)
    parser.add_argument("publish_dir", nargs="?", type=Path,
                        help="a publication (or release) directory; default: KPI_PUBLISH_DIR")
    args = parser.parse_args(argv)
    publish_dir = args.publish_dir
    if publish_dir is None:
        from dagster_project.config import Settings
        publish_dir = Path(Settings.from_env().publish_dir)
    try:
        path = build_report(publish_dir)
    except ReportDataError as error:
        print(f"no report: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
