"""`make run`'s entry point as a user runs it: a fresh process (Great Expectations validating
in its helper process), the run recorded in the Dagster home, the exit status and the report."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg

from dagster_project.config import PROJECT_ROOT
from dagster_project.dbt_runner import DBT_TARGET_DIR
from dagster_project.publish import read_manifest
from dagster_project.validation.rules import MARTS


def make_run(source_dir: Path, root: Path) -> subprocess.CompletedProcess:
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home)
    env = {**os.environ, "DAGSTER_HOME": str(home), "KPI_SOURCE_DIR": str(source_dir),
           "KPI_WAREHOUSE": str(root / "warehouse.duckdb"), "KPI_PUBLISH_DIR": str(root / "published")}
    return subprocess.run([sys.executable, "-m", "dagster_project.run"], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=900)


def test_a_clean_run_publishes_and_is_recorded_in_the_dagster_home(dbt_manifest, demo_dir, tmp_path):
    done = make_run(demo_dir, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"^run \S+ succeeded in \d+\.\d s$", done.stdout, re.MULTILINE)
    assert sorted(read_manifest(tmp_path / "published")["tables"]) == sorted(m.name for m in MARTS)
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        [run] = instance.get_runs()
        assert (run.job_name, run.status) == ("refresh_all", dg.DagsterRunStatus.SUCCESS)
        records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    gx = [e for e in evaluations if e.check_name == "gx_suite"]
    assert len(gx) == 23 and all(e.passed for e in gx)  # validated in the helper, reported here
    manifest = json.loads((DBT_TARGET_DIR / "manifest.json").read_text())
    data_tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(data_tests) > 100  # the manifest holds the project's tests
    assert len(evaluations) - len(gx) == len(data_tests)  # every dbt data test of the project


def test_a_blocked_run_exits_non_zero_saying_what_failed(dbt_manifest, defective_dir, tmp_path):
    done = make_run(defective_dir, tmp_path)
    assert done.returncode == 1
    assert "FAILED" in done.stderr and "nothing was published" in done.stderr
    assert "raw/cost_lines [gx_suite, ERROR]" in done.stderr
    assert re.search(r"critical \| fx_rate_exists \| \d+ \| line_id=", done.stderr)
    assert not (tmp_path / "published").exists()
