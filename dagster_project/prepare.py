"""Build the dbt manifest that the dbt assets are defined from (``dbt parse``).

``DbtProject.prepare_if_dev()`` only acts under ``dagster dev``; ``make run``, ``make ui``
and the tests call :func:`prepare_dbt_manifest` instead. Parsing takes 2–6 s, so it is skipped
while the manifest is current: newer than every file of the dbt project and the lock file, and
parsed for the same warehouse and ``--vars``.

The last condition is what lets every ``dbt build`` reuse the parse: dagster-dbt copies
``partial_parse.msgpack`` into each invocation's target folder, but dbt discards it (and parses
the whole project again) when the profile's connection (the warehouse path) or the ``--vars``
differ from the ones it was written with. ``prepared.json`` records them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import sys

from dagster_project.config import DBT_PROJECT_DIR, PROJECT_ROOT, Settings
from dagster_project.dbt_runner import DBT_TARGET_DIR, MANIFEST_PATH, run_dbt

GENERATED = (DBT_TARGET_DIR, DBT_PROJECT_DIR / "logs")
PARTIAL_PARSE_PATH = DBT_TARGET_DIR / "partial_parse.msgpack"
PREPARED_PATH = DBT_TARGET_DIR / "prepared.json"
PARSE_LOCK_PATH = DBT_TARGET_DIR / ".prepare.lock"


def parse_state(settings: Settings) -> dict:
    """What dbt's partial parsing depends on besides the project files."""
    mtime = PARTIAL_PARSE_PATH.stat().st_mtime_ns if PARTIAL_PARSE_PATH.exists() else None
    return {"profile_env": settings.dbt_env(), "vars": settings.dbt_vars(), "partial_parse_mtime_ns": mtime}


def manifest_is_current(settings: Settings | None = None) -> bool:
    if not MANIFEST_PATH.exists() or not PREPARED_PATH.exists():
        return False
    sources = [p for p in DBT_PROJECT_DIR.rglob("*")
               if p.is_file() and not any(p.is_relative_to(g) for g in GENERATED)]
    sources.append(PROJECT_ROOT / "requirements.lock")
    newest = max(p.stat().st_mtime for p in sources if p.exists())
    if MANIFEST_PATH.stat().st_mtime <= newest:
        return False
    return json.loads(PREPARED_PATH.read_text()) == parse_state(settings or Settings.from_env())


@contextlib.contextmanager
def one_parse_at_a_time():
    """Hold an OS lock while the manifest is checked and written: two processes starting at once
    (two ``make run``, the webserver and the daemon) would otherwise parse into the same folder,
    and one could load the other's half-written manifest. The second waits, then finds it current."""
    DBT_TARGET_DIR.mkdir(parents=True, exist_ok=True)
    with PARSE_LOCK_PATH.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def prepare_dbt_manifest(force: bool = False) -> None:
    settings = Settings.from_env()
    with one_parse_at_a_time():
        if not force and manifest_is_current(settings):
            return
        result = run_dbt(["parse", "--quiet"], settings, check=False)
        if result.returncode != 0 or not MANIFEST_PATH.exists():
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"dbt parse failed (exit {result.returncode})")
        PREPARED_PATH.write_text(json.dumps(parse_state(settings), indent=2, sort_keys=True))

if __name__ == "__main__":
    prepare_dbt_manifest(force="--force" in sys.argv)
