"""``--defects``: every named defect is injected, recorded, and really breaks its rule."""

from __future__ import annotations

import json
import shutil

import pytest

from synthetic.defects import DEFECTS, inject_defects
from tests.conftest import DEMO_SEED, load_sources
from tests.contract_rules import RULES

RULE_OF = {
    "EMPLOYEE_DUPLICATE_ID": "employees.pk",
    "EVENT_UNKNOWN_HUB": "events.fk_hub",
    "EVENT_FTE_OUT_OF_RANGE": "events.assignment_fields",
    "EVENT_EXIT_FIELDS_ON_HIRE": "events.exit_fields",
    "EVENT_REGRETTED_NOT_VOLUNTARY": "events.exit_fields",
    "EVENT_SEQUENCE_TRANSFER_WHILE_OUT": "events.sequence",
    "REQUISITION_FILLED_WITHOUT_HIRE": "requisitions.status_fields",
    "SOLUTION_UNKNOWN_DOMAIN": "solutions.fields",
    "TIMESHEET_HOURS_OUT_OF_RANGE": "timesheets.hours",
    "TIMESHEET_WEEK_OVER_60": "timesheets.week_total",
    "TIMESHEET_SOLUTION_ON_INTERNAL": "timesheets.solution_by_activity",
    "TIMESHEET_NOT_MONDAY": "timesheets.monday",
    "TIMESHEET_NOT_EMPLOYED": "timesheets.employed",
    "USAGE_EMAIL_USER_ID": "usage.no_email",
    "USAGE_UNKNOWN_SOLUTION": "usage.fk_solution",
    "COST_NEGATIVE_USAGE": "cost_lines.amount_sign",
    "COST_UNKNOWN_CATEGORY": "cost_lines.enums",
    "COST_NO_FX_RATE": "cost_lines.fx_exists",
    "FX_RATE_NOT_POSITIVE": "fx_rates.rate",
    "WARN_SAME_DAY_HIRE_EXIT": "events.same_day_hire_exit",
    "WARN_SAME_HUB_TRANSFER": "events.same_hub_transfer",
    "WARN_STAGE_BEFORE_CREATED": "stages.before_created",
    "WARN_USAGE_BEFORE_LIVE": "usage.before_live",
    "WARN_STAFF_WITH_SOLUTION": "cost_lines.staff_with_solution",
    "WARN_FX_JUMP": "fx_rates.jump",
}


@pytest.fixture(scope="module")
def defective(demo_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("defective")
    shutil.copytree(demo_dir, folder, dirs_exist_ok=True)
    manifest = inject_defects(folder, rate=0.001, seed=DEMO_SEED)
    return folder, manifest, load_sources(folder)  # defects are not fatal: the files still load


def test_every_defect_is_injected_and_recorded(defective):
    folder, manifest, _ = defective
    assert json.loads((folder / "defects_manifest.json").read_text()) == json.loads(json.dumps(manifest, default=str))
    assert {d["code"] for d in manifest} == {d.code for d in DEFECTS} == set(RULE_OF)
    severity = {d.code: d.severity for d in DEFECTS}
    assert all(entry["severity"] == severity[entry["code"]] for entry in manifest)
    assert {entry["severity"] for entry in manifest} == {"error", "warning"}


@pytest.mark.parametrize("code", sorted(RULE_OF))
def test_defect_breaks_its_rule(defective, code):
    _, _, con = defective
    assert con.sql(RULES[RULE_OF[code]]).fetchall(), f"{code} did not break {RULE_OF[code]}"
