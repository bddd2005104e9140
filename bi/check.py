"""`make bi-build`: run every page of the app headless (Streamlit's AppTest, no browser) against
the publication of KPI_PUBLISH_DIR, and fail on any error the pages show or raise."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
from streamlit import logger
from streamlit.testing.v1 import AppTest

logger.set_log_level("error")  # AppTest runs pages outside a server: no "bare mode" warnings

import publication  # noqa: E402

APP = Path(__file__).resolve().parent / "app.py"


def run_page(page: str | None, **query: str) -> list[str]:
    app = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page is not None:
        app.switch_page(page).run()
    problems = [f"exception: {e.value}" for e in app.exception]
    problems += [f"error: {e.value}" for e in app.error]
    problems += [f"warning: {e.value}" for e in app.warning]
    title = app.title[0].value if app.title else "(no title)"
    where = page or "views/summary.py"
    where += "".join(f"?{key}={value}" for key, value in query.items())
    print(f"  {where}: {title}, {len(app.metric)} figures" + (f", {len(problems)} problems" if problems else ""))
    return problems


def main() -> int:
    try:
        release = publication.current_release()
    except publication.NoPublication as error:
        print(error, file=sys.stderr)
        return 1
    print(f"checking the BI pages on {release.path} (as_of_date {release.as_of_date})")
    hubs = str(release.path / "parquet" / "hub_critical_mass.parquet")
    rows = duckdb.execute("select distinct hub_id from read_parquet(?) order by 1", [hubs]).fetchall()
    hub_ids = [row[0] for row in rows]
    problems = run_page(None)
    for hub_id in hub_ids:
        problems += run_page("views/hub.py", hub_id=hub_id)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
