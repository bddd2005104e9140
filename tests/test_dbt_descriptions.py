"""Every dbt model says what it is in YAML: the Dagster assets take their descriptions from
there (not from SQL comments), so a model without one would be an asset without one."""

from __future__ import annotations

import json

from dagster_project.dbt_runner import MANIFEST_PATH


def models_without_description(manifest: dict) -> list[str]:
    return sorted(node["original_file_path"] for node in manifest["nodes"].values()
                  if node["resource_type"] == "model" and not (node.get("description") or "").strip())


def test_every_model_has_a_yaml_description(dbt_manifest):
    manifest = json.loads(MANIFEST_PATH.read_text())
    assert sum(node["resource_type"] == "model" for node in manifest["nodes"].values()) >= 40
    assert models_without_description(manifest) == []


def test_a_model_without_description_is_reported():
    manifest = {"nodes": {"model.x.a": {"resource_type": "model", "description": "", "original_file_path": "a.sql"},
                          "model.x.b": {"resource_type": "model", "description": "B.", "original_file_path": "b.sql"},
                          "test.x.c": {"resource_type": "test", "description": "", "original_file_path": "c.yml"}}}
    assert models_without_description(manifest) == ["a.sql"]
