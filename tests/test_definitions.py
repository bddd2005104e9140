"""The code location loads with every asset, the job and the nightly schedule."""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project.config import Settings
from dagster_project.contract import SOURCES
from dagster_project.definitions import build_defs
from dagster_project.output_contract import PUBLISHED_TABLES


@pytest.fixture(scope="module")
def defs(dbt_manifest) -> dg.Definitions:
    return build_defs(Settings.from_env())


def test_the_code_location_is_the_factory_on_the_environment(dbt_manifest, monkeypatch):
    """workspace.yaml loads ``dagster_project.definitions``: its one ``@dg.definitions`` function
    builds the definitions when Dagster loads the code location, from the environment then."""
    from dagster._core.workspace.autodiscovery import loadable_targets_from_loaded_module

    import dagster_project.definitions as module

    [target] = loadable_targets_from_loaded_module(module)
    assert target.attribute == "defs"
    monkeypatch.setenv("KPI_SCHEDULE_TIMEZONE", "Asia/Tokyo")
    assert module.defs().resolve_schedule_def("nightly_refresh").execution_timezone == "Asia/Tokyo"


def test_every_source_file_has_a_raw_asset(defs):
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"raw/{s.name}" for s in SOURCES} <= keys


def test_assets_carry_group_and_kinds(defs):
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name, key
        assert node.kinds, key


def test_assets_carry_a_description(defs):
    """Every asset says what it is; a dbt model's description is the one of its YAML."""
    graph = defs.resolve_asset_graph()
    undescribed = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not (node.description and len(node.description) > 30):
            undescribed.append(key.to_user_string())
        assert "select" not in (node.description or "").lower(), f"{key}: describes itself with SQL"
    assert sorted(undescribed) == []


def test_refresh_job_selects_the_whole_graph(defs):
    job = defs.resolve_job_def("refresh_all")
    assert {k for k in job.asset_layer.selected_asset_keys} == set(defs.resolve_asset_graph().get_all_asset_keys())


def test_nightly_schedule_at_two_paris_time(defs):
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Paris"
    assert schedule.job_name == "refresh_all"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_schedule_time_zone_is_configurable(dbt_manifest):
    defs = build_defs(Settings.from_env({"KPI_SCHEDULE_TIMEZONE": "America/New_York"}))
    assert defs.resolve_schedule_def("nightly_refresh").execution_timezone == "America/New_York"


def test_every_step_of_the_refresh_holds_the_refresh_lock(defs):
    """Every step of refresh_all uses the warehouse or dbt, the two resources that take the refresh
    lock (dagster_project/guard.py), and the job runs in one process, which sets resources up once
    per run; dagster_home/dagster.yaml sets no pool limit that a killed run could keep."""
    import yaml

    from dagster_project.config import PROJECT_ROOT
    from dagster_project.defs.resources import ProjectDbtCliResource, Warehouse

    job = defs.resolve_job_def("refresh_all")
    assert job.executor_def is dg.in_process_executor
    for op in job.graph.node_defs:
        assert op.required_resource_keys & {"warehouse", "dbt"}, op.name
    assert isinstance(defs.resources["warehouse"], Warehouse)
    assert isinstance(defs.resources["dbt"], ProjectDbtCliResource)
    instance = yaml.safe_load((PROJECT_ROOT / "dagster_home" / "dagster.yaml").read_text())
    assert "pools" not in instance["concurrency"]


def test_dbt_models_are_keyed_and_grouped_by_layer(defs):
    graph = defs.resolve_asset_graph()
    models = {k for k in graph.get_all_asset_keys() if k.path[0] in ("staging", "intermediate", "marts")}
    assert {k.path[0] for k in models} == {"staging", "intermediate", "marts"}
    for key in models:
        node = graph.get(key)
        assert len(key.path) == 2 and node.group_name == key.path[0], key
        assert node.kinds == {"dbt", "duckdb"}, key


def test_the_publication_depends_on_every_model_it_reads(defs):
    graph = defs.resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["published", "kpi_publication"])).parent_keys
    assert dg.AssetKey(["intermediate", "int_calendar__reporting_period"]) in parents
    assert {dg.AssetKey(["marts", t.name]) for t in PUBLISHED_TABLES} <= parents
    # the report is made from the publication, in the same step (it goes live with the tables)
    assert graph.get(dg.AssetKey(["published", "kpi_report"])).parent_keys == {
        dg.AssetKey(["published", "kpi_publication"])}


def test_dbt_manifest_is_rebuilt_when_the_project_or_the_parse_settings_change(dbt_manifest, monkeypatch, tmp_path):
    """A stale parse would define stale assets; a parse for another warehouse or other --vars
    would make every `dbt build` parse the whole project again."""
    import os
    import time

    from dagster_project.config import DBT_PROJECT_DIR
    from dagster_project.prepare import manifest_is_current, prepare_dbt_manifest

    prepare_dbt_manifest()
    assert manifest_is_current()
    model = DBT_PROJECT_DIR / "models" / "marts" / "recruiting.sql"
    stat = model.stat()
    os.utime(model, (stat.st_atime, time.time() + 5))  # an edit after the last parse
    try:
        assert not manifest_is_current()
    finally:
        os.utime(model, (stat.st_atime, stat.st_mtime))
    assert manifest_is_current()
    monkeypatch.setenv("KPI_WAREHOUSE", str(tmp_path / "elsewhere.duckdb"))
    assert not manifest_is_current()
    monkeypatch.setenv("KPI_CRITICAL_MASS_TARGET", "25")
    prepare_dbt_manifest()
    assert manifest_is_current()
    monkeypatch.delenv("KPI_CRITICAL_MASS_TARGET")
    assert not manifest_is_current()  # other --vars


def test_the_dbt_resource_skips_only_what_dagster_dbt_still_has():
    """ProjectDbtCliResource overrides two private members of dagster-dbt's resource: if an
    upgrade renames them, the overrides would silently stop saving start-up time."""
    from dagster_dbt import DbtCliResource

    from dagster_project.config import Settings
    from dagster_project.defs.resources import ProjectDbtCliResource, build_resources

    for member in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert member in vars(DbtCliResource) and member in vars(ProjectDbtCliResource)
    dbt = build_resources(Settings.from_env())["dbt"]
    assert isinstance(dbt, ProjectDbtCliResource)
    upstream = DbtCliResource(project_dir=dbt.project_dir, dbt_executable=dbt.dbt_executable)
    assert dbt._cli_version == upstream._cli_version  # what `dbt --version` says


def test_new_source_files_start_a_refresh(defs, source_copy):
    from dagster_project.defs.resources import SourceDirectory
    from dagster_project.defs.sensors import new_source_files

    sources = SourceDirectory(path=str(source_copy))
    first = new_source_files(dg.build_sensor_context(resources={"sources": sources}))
    assert isinstance(first, dg.SkipReason)  # the first look only records the state
    cursor = dg.build_sensor_context(resources={"sources": sources})
    new_source_files(cursor)
    recorded = cursor.cursor
    unchanged = new_source_files(dg.build_sensor_context(cursor=recorded, resources={"sources": sources}))
    assert isinstance(unchanged, dg.SkipReason)
    budgets = source_copy / "costs" / "budgets.csv"
    budgets.write_text(budgets.read_text() + "H001,2031,1000.00\n")  # a new export
    request = new_source_files(dg.build_sensor_context(cursor=recorded, resources={"sources": sources}))
    assert isinstance(request, dg.RunRequest) and request.run_key != recorded
    assert defs.resolve_sensor_def("new_source_files").job_name == "refresh_all"


def test_old_dbt_target_folders_are_pruned(tmp_path, monkeypatch):
    """Each dbt build gets a target folder of its own; only the newest few are kept."""
    import os

    from dagster_project import dbt_runner

    monkeypatch.setattr(dbt_runner, "DBT_TARGET_DIR", tmp_path)
    for age in range(8):
        folder = tmp_path / f"kpi_dbt_models-run{age}"
        folder.mkdir()
        (folder / "dbt.log").write_text("x")
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))
    (tmp_path / "floor").mkdir()  # not a build folder: never touched
    deleted = dbt_runner.prune_invocation_targets("kpi_dbt_models", keep=5)
    assert sorted(p.name for p in deleted) == ["kpi_dbt_models-run5", "kpi_dbt_models-run6", "kpi_dbt_models-run7"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["floor"] + [f"kpi_dbt_models-run{i}" for i in range(5)]


def test_every_run_executes_in_one_process(defs):
    """The daemon's runs (schedule, sensor, "Materialize all") start no process per step: the
    job and the UI's implicit asset job both use the in-process executor."""
    assert defs.resolve_job_def("refresh_all").executor_def is dg.in_process_executor
    assert defs.resolve_implicit_global_asset_job_def().executor_def is dg.in_process_executor


def test_runs_are_tagged_with_what_they_use(dbt_manifest, tmp_path):
    from dagster_project.run_tags import run_tags

    settings = Settings.from_env({"KPI_SOURCE_DIR": str(tmp_path), "KPI_MIN_GROUP_SIZE": "7",
                                  "KPI_AS_OF_DATE": "2025-06-30", "KPI_ENGINE": "duckdb"})
    expected = {"kpi/as_of_date": "2025-06-30", "kpi/source_dir": str(tmp_path), "kpi/engine": "duckdb",
                "kpi/min_group_size": "7"}  # only the parameter that differs from its default
    assert run_tags(settings) == expected
    job = build_defs(settings).resolve_job_def("refresh_all")
    assert job.run_tags == job.tags == {"kpi/owner": "data-engineering", **expected}
    assert run_tags(Settings.from_env({}))["kpi/as_of_date"] == "from-sources"
    assert not [k for k in run_tags(Settings.from_env({})) if k not in
                ("kpi/as_of_date", "kpi/source_dir", "kpi/engine")]


def test_published_marts_show_the_output_contract_and_where_bi_tools_read_them(defs):
    graph = defs.resolve_asset_graph()
    publish_dir = Settings.from_env().publish_dir
    for table in PUBLISHED_TABLES:
        node = graph.get(dg.AssetKey(["marts", table.name]))
        schema = node.metadata["dagster/column_schema"]
        assert [(c.name, c.type, c.description) for c in schema.columns] == [
            (c.name, c.type, c.description) for c in table.columns], table.name
        assert all(c.description for c in schema.columns), table.name
        assert node.metadata["dagster/uri"] == str(publish_dir / "parquet" / f"{table.name}.parquet")
        assert node.metadata["dagster/table_name"] == f"kpi.main.{table.name}"
        assert node.owners == ["team:data-engineering"]
        [reference] = node.metadata["dagster/code_references"].code_references
        assert reference.file_path.endswith(f"models/marts/{table.name}.sql")


def test_no_metadata_the_ui_cannot_show(defs):
    """Metadata that Dagster cannot serialise shows as "[Class] (unserializable)" in the UI; the
    only such entries left are the two that the UI hides (dagster-dbt's manifest and translator)."""
    from dagster._core.remote_representation.external_data import asset_node_snaps_from_repo

    hidden_by_the_ui = {"dagster_dbt/manifest", "dagster_dbt/dagster_dbt_translator"}
    shown = [(snap.asset_key.to_user_string(), name)
             for snap in asset_node_snaps_from_repo(defs.get_repository_def())
             for name, value in snap.metadata.items()
             if "unserializable" in str(getattr(value, "value", "")) and name not in hidden_by_the_ui]
    assert shown == []


def test_every_check_says_its_rule(defs):
    """Each dbt test and GX suite has a one-line description of its rule (not its name)."""
    graph = defs.resolve_asset_graph()
    for key in graph.asset_check_keys:
        description = graph.get_check_spec(key).description or ""
        assert description and "\n" not in description and key.name not in description, key
    not_null = dg.AssetCheckKey(dg.AssetKey(["intermediate", "int_solutions__monthly_health"]),
                                "not_null_int_solutions__monthly_health_hub_id")
    assert graph.get_check_spec(not_null).description == "hub_id is never NULL."
    gx = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["marts", "hub_costs"]), "gx_suite")).description
    assert "(hub_id, month) is unique" in gx and "blocking" in gx


def test_dbt_test_descriptions_come_from_yaml_or_the_rule():
    from dagster_project.defs.dbt_test_descriptions import describe_test, generic_test_comments

    assert describe_test({"name": "t", "description": "Own words."}) == "Own words."
    accepted = {"name": "t", "test_metadata": {"name": "accepted_values", "kwargs": {
        "column_name": "stage", "values": ["POC", "PILOT"], "model": "x"}}}
    assert describe_test(accepted) == "stage is one of: POC, PILOT."
    ranged = {"name": "t", "test_metadata": {"name": "within_range", "kwargs": {"column_name": "n", "min_value": 0}}}
    assert describe_test(ranged) == "n is at least 0 (NULL passes)."
    ledger = {"name": "t", "test_metadata": {"name": "sums_to_ledger", "kwargs": {
        "column_name": "total_cost_eur", "plus_model": "ref('hub_costs')", "model": "x"}}}
    assert describe_test(ledger) == (generic_test_comments()["sums_to_ledger"]
                                     + " (column_name=total_cost_eur, plus_model=hub_costs)")
    assert generic_test_comments()["sums_to_ledger"].startswith("Money is never lost")


def test_the_publication_turns_red_after_a_missed_night(defs):
    import datetime as dt

    node = defs.resolve_asset_graph().get(dg.AssetKey(["published", "kpi_publication"]))
    assert node.freshness_policy.fail_window.to_timedelta() == dt.timedelta(hours=26)
    assert node.owners == ["team:data-engineering"]


def test_the_code_location_is_named_after_the_project():
    import yaml

    from dagster_project.config import PROJECT_ROOT

    [entry] = yaml.safe_load((PROJECT_ROOT / "workspace.yaml").read_text())["load_from"]
    assert entry["python_module"]["location_name"] == "ai_transformation_kpis"
    assert entry["python_module"]["module_name"] == "dagster_project.definitions"


def test_a_parameter_given_in_the_launchpad_becomes_a_run_tag(dbt_manifest, tmp_path):
    """The dbt step tags the run with the parameters of its run config before it builds
    anything (here the build then fails: the warehouse has no raw tables)."""
    from dagster_project.defs.dbt_assets import DBT_ASSETS_NAME

    settings = Settings.from_env({"KPI_WAREHOUSE": str(tmp_path / "empty.duckdb"),
                                  "KPI_PUBLISH_DIR": str(tmp_path / "published")})
    defs = build_defs(settings)
    graph = defs.resolve_asset_graph()
    models = dg.AssetSelection.assets(*[k for k in graph.get_all_asset_keys() if k.path[0] == "staging"])
    job = defs.resolve_job_def("refresh_all").get_subset(asset_selection=models.resolve(graph),
                                                          asset_check_selection=set())
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"ops": {DBT_ASSETS_NAME: {"config": {"min_group_size": 9, "as_of_date": "2025-06-30"}}}})
        tags = instance.get_run_by_id(result.run_id).tags
    assert tags["kpi/min_group_size"] == "9"
    assert tags["kpi/as_of_date"] == "2025-06-30"
    assert "kpi/critical_mass_target" not in tags  # unchanged parameters are not tags
