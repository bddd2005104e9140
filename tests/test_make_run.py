"""`make run`'s entry point as a user runs it: a fresh process, the run recorded in the Dagster
home, the exit status and the report."""

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
from dagster_project.contract import SOURCES
from dagster_project.dbt_runner import MANIFEST_PATH
from dagster_project.output_contract import PUBLISHED_TABLES
from dagster_project.publish import read_manifest


def dbt_data_tests() -> int:
    """The dbt data tests of the manifest, each an asset check on the model it is attached to."""
    nodes = json.loads(MANIFEST_PATH.read_text())["nodes"].values()
    return sum(1 for n in nodes if n["resource_type"] == "test" and n.get("attached_node"))


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
    manifest = read_manifest(tmp_path / "published")
    assert sorted(manifest["tables"]) == sorted(t.name for t in PUBLISHED_TABLES)
    # the report is printed, and it is the release's own (swapped in with the tables)
    [report] = re.findall(r"^report: (.+)$", done.stdout, re.MULTILINE)
    assert Path(report).resolve() == (tmp_path / "published").resolve() / "report" / "index.html"
    assert manifest["run_id"] in Path(report).read_text()
    assert manifest["parameters"]["min_group_size"] == 5 and manifest["validation"]["warnings"] == []
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        [run] = instance.get_runs()
        assert (run.job_name, run.status) == ("refresh_all", dg.DagsterRunStatus.SUCCESS)
        records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    gx = [e for e in evaluations if e.check_name == "gx_suite"]
    # one GX suite per source and per published table, reported here
    assert len(gx) == len(SOURCES) + len(PUBLISHED_TABLES) and all(e.passed for e in gx)
    assert len(evaluations) - len(gx) == dbt_data_tests() > 0
    assert manifest["validation"]["checks"] == len(evaluations)
    assert manifest["validation"]["dbt_tests"] == dbt_data_tests()
    assert manifest["validation"]["expectations"] == sum(e.metadata["evaluated_expectations"].value for e in gx)


def test_a_blocked_run_exits_non_zero_saying_what_failed(dbt_manifest, defective_dir, tmp_path):
    done = make_run(defective_dir, tmp_path)
    assert done.returncode == 1
    assert "FAILED" in done.stderr and "nothing was published" in done.stderr
    assert "raw/cost_lines [gx_suite, ERROR]" in done.stderr
    assert re.search(r"critical \| fx_rate_exists \| \d+ \| line_id=", done.stderr)
    assert not (tmp_path / "published").exists()
