"""The dbt macros agree with the contract declared once in Python (dagster_project/contract.py).

One ``dbt compile --inline`` renders every macro over every declared value; DuckDB evaluates the
compiled SQL. A macro that maps a role to another family, ranks an event type out of the
declared order, lists another stage, or knows a value the contract does not, fails here.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from dagster_project.config import Settings
from dagster_project.contract import EVENT_ORDER, EVENT_TYPES, ROLE_FAMILIES, ROLES, STAGES
from dagster_project.dbt_runner import run_dbt

UNKNOWN = "NOT_IN_THE_CONTRACT"


def _values(name: str, values) -> str:
    return "(values " + ", ".join(f"('{v}')" for v in values) + f") as {name}(v)"


INLINE = f"""
select 'role_family' as macro, r.v as value, {{{{ role_family('r.v') }}}} as result \
from {_values('r', (*ROLES, UNKNOWN))}
union all
select 'event_type_rank', e.v, cast({{{{ event_type_rank('e.v') }}}} as varchar) from {_values('e', EVENT_TYPES)}
union all
select 'opens_spell', e.v, cast({{{{ opens_spell('e.v') }}}} as varchar) from {_values('e', EVENT_TYPES)}
union all
select 'solution_stages', cast(s.position as varchar), s.stage
from (select unnest(\
[{{% for s in solution_stages() %}}'{{{{ s }}}}'{{{{ ',' if not loop.last }}}}{{% endfor %}}]) as stage,
             generate_subscripts(\
[{{% for s in solution_stages() %}}'{{{{ s }}}}'{{{{ ',' if not loop.last }}}}{{% endfor %}}], 1) as position) as s
union all
select 'literals', 'role_family', '{{{{ role_family("x") | replace("'", "''") }}}}'
union all
select 'literals', 'event_type_rank', '{{{{ (event_type_rank("x") ~ opens_spell("x")) | replace("'", "''") }}}}'
"""


def expected() -> dict[tuple[str, str], str | None]:
    """What each macro must return for each value, from the contract."""
    family = {role: fam for fam, roles in ROLE_FAMILIES.items() for role in roles}
    rank = {event: str(i) for i, group in enumerate(EVENT_ORDER) for event in group}
    rows = {("role_family", role): family[role] for role in ROLES}
    rows[("role_family", UNKNOWN)] = None
    rows |= {("event_type_rank", e): rank[e] for e in EVENT_TYPES}
    rows |= {("opens_spell", e): str(e in EVENT_ORDER[0]).lower() for e in EVENT_TYPES}
    rows |= {("solution_stages", str(i)): s for i, s in enumerate(STAGES, start=1)}
    return rows


def disagreements(results: list[tuple[str, str, str | None]], want: dict) -> list[str]:
    """Where the evaluated macros and the contract differ (empty when they agree), including
    string literals in a macro's SQL that the contract does not declare."""
    got = {(macro, value): result for macro, value, result in results if macro != "literals"}
    problems = [f"{key}: macro says {got.get(key)!r}, contract says {value!r}"
                for key, value in want.items() if got.get(key, "<missing>") != value]
    problems += [f"{key}: not in the contract" for key in got.keys() - want.keys()]
    declared = {"role_family": set(ROLES) | set(ROLE_FAMILIES), "event_type_rank": set(EVENT_TYPES)}
    for macro, name, sql in results:
        if macro == "literals":
            extra = set(re.findall(r"'([^']*)'", sql)) - declared[name]
            problems += [f"{name}: literal {v!r} not in the contract" for v in sorted(extra)]
    return problems


@pytest.fixture(scope="module")
def macro_results(tmp_path_factory) -> list[tuple[str, str, str | None]]:
    warehouse = tmp_path_factory.mktemp("macros") / "warehouse.duckdb"
    settings = Settings.from_env({"KPI_WAREHOUSE": str(warehouse)})
    result = run_dbt(["compile", "--inline", INLINE, "--output", "json", "--quiet"], settings, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    compiled = json.loads(result.stdout[result.stdout.index("{"):])["compiled"]
    return duckdb.connect().execute(compiled).fetchall()


def test_event_order_covers_every_event_type_once():
    flat = [event for group in EVENT_ORDER for event in group]
    assert sorted(flat) == sorted(EVENT_TYPES) and len(flat) == len(set(flat))


def test_dbt_macros_agree_with_the_contract(macro_results):
    assert disagreements(macro_results, expected()) == []


def test_a_disagreement_is_caught(macro_results):
    """The check can fail: a contract that moves one role, one event and one stage is refused."""
    want = expected()
    want[("role_family", "HUB_LEAD")] = "IT"
    want[("event_type_rank", "TRANSFER")] = "2"
    want[("solution_stages", "1")] = "POC"
    assert len(disagreements(macro_results, want)) == 3
    doctored = [*macro_results, ("literals", "role_family", "when x in ('PROMPT_ENGINEER') then 'IT'")]
    assert disagreements(doctored, expected()) == ["role_family: literal 'PROMPT_ENGINEER' not in the contract"]
