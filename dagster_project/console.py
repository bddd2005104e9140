"""``make run``'s console: one line per stage as it starts and ends, a dbt progress count, warnings.

:class:`Progress` listens to the run's events as the instance stores them (so it sees exactly
what the UI sees) and prints, for the five stages of ``refresh_all``: ingest (files and rows),
source validation (suites, rules checked, failures, warnings), transform (dbt models and tests,
with a progress count), KPI validation, publish (where, and the report). The full event log is
not printed here: ``make run`` writes it to a file (``VERBOSE=1`` streams it).
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import dagster as dg

from dagster_project.contract import SOURCES
from dagster_project.defs.publish_asset import PUBLICATION, REPORT, ROW_COUNT_PREFIX
from dagster_project.defs.raw_assets import raw_asset_key

INGEST, SOURCE_CHECKS, TRANSFORM, KPI_CHECKS, PUBLISH = (
    "ingest", "validate sources", "transform (dbt)", "validate KPIs", "publish")
STAGE_ORDER = (INGEST, SOURCE_CHECKS, TRANSFORM, KPI_CHECKS, PUBLISH)
PROGRESS_STEPS = 4  # dbt progress is printed at each quarter of the models and tests
RAW_KEYS = frozenset(raw_asset_key(s) for s in SOURCES)
EventType = dg.DagsterEventType


def _stage_of(assets_def) -> str:
    """The stage a step belongs to, from what it materializes or checks."""
    keys = set(assets_def.keys)
    if not keys:
        targets = {check.asset_key for check in assets_def.check_keys}
        return SOURCE_CHECKS if targets <= RAW_KEYS else KPI_CHECKS
    if keys <= RAW_KEYS:
        return INGEST
    return PUBLISH if keys & {PUBLICATION, REPORT} else TRANSFORM


@dataclass
class Stage:
    """What one stage plans and what it has done so far."""

    name: str
    steps: set[str] = field(default_factory=set)
    planned_assets: int = 0
    planned_checks: int = 0
    started: float | None = None
    finished: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    materialized: int = 0
    rows: int = 0
    checks: int = 0
    checks_failed: int = 0
    checks_warned: int = 0
    rules: int = 0
    rule_failures: int = 0
    rule_warnings: int = 0
    publish_dir: str | None = None
    tables: int = 0
    report: str | None = None
    shown_progress: int = 0

    @property
    def done(self) -> bool:
        return self.steps <= self.finished


def plan_stages(job_def: dg.JobDefinition, step_keys: set[str] | None) -> dict[str, Stage]:
    """The stages of ``job_def`` with their steps (those of ``step_keys`` when given)."""
    stages = {name: Stage(name) for name in STAGE_ORDER}
    for assets_def in job_def.asset_layer.asset_graph.assets_defs:
        if not assets_def.is_executable:
            continue
        step = assets_def.node_def.name
        if step_keys is not None and step not in step_keys:
            continue
        stage = stages[_stage_of(assets_def)]
        stage.steps.add(step)
        stage.planned_assets += len(assets_def.keys)
        stage.planned_checks += len(assets_def.check_keys)
    return {name: stage for name, stage in stages.items() if stage.steps}


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _metadata_value(metadata, key, default=None):
    entry = metadata.get(key)
    return default if entry is None else entry.value


class Progress:
    """An event listener (``instance.add_event_listener``) that prints the stage lines."""

    def __init__(self, stages: dict[str, Stage], source_dir: str, publish_dir: str, out=None):
        self.stages = stages
        self.stage_of_step = {step: s for s in stages.values() for step in s.steps}
        self.source_dir, self.publish_dir = source_dir, publish_dir
        self.out = out or sys.stdout
        self.t0 = time.perf_counter()
        self.warnings: Counter[str] = Counter()  # where -> count
        self.log_warnings = 0

    def say(self, stage: str, text: str) -> None:
        print(f"[{time.perf_counter() - self.t0:6.1f} s] {stage:<17} {text}", file=self.out, flush=True)

    def __call__(self, entry) -> None:
        try:
            self._handle(entry)
        except Exception as error:  # the console must never break the run it reports
            logging.getLogger(__name__).warning("console: %r", error)

    def _handle(self, entry) -> None:
        event = entry.dagster_event
        if event is None:
            if entry.level == logging.WARNING:
                self.log_warnings += 1
            return
        stage = self.stage_of_step.get(event.step_key or "")
        if stage is None:
            return
        kind = event.event_type
        if kind == EventType.STEP_START and stage.started is None:
            stage.started = time.perf_counter()
            self.say(stage.name, self._start_text(stage))
        elif kind == EventType.ASSET_MATERIALIZATION:
            self._materialized(stage, event.event_specific_data.materialization)
        elif kind == EventType.ASSET_CHECK_EVALUATION:
            self._checked(stage, event.event_specific_data)
        elif kind in (EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED):
            if kind == EventType.STEP_FAILURE:
                stage.failed.add(event.step_key)
            stage.finished.add(event.step_key)
            if stage.done and stage.started is not None:
                self.say(stage.name, self._end_text(stage))

    def _start_text(self, stage: Stage) -> str:
        if stage.name == INGEST:
            return f"{_plural(len(stage.steps), 'source file')} from {self.source_dir}"
        if stage.name == TRANSFORM:
            return f"dbt build: {_plural(stage.planned_assets, 'model')}, {_plural(stage.planned_checks, 'test')}"
        if stage.name in (SOURCE_CHECKS, KPI_CHECKS):
            return f"{_plural(stage.planned_checks, 'Great Expectations suite')}"
        return f"to {self.publish_dir}"

    def _materialized(self, stage: Stage, materialization) -> None:
        stage.materialized += 1
        metadata = materialization.metadata
        stage.rows += int(_metadata_value(metadata, "dagster/row_count", 0) or 0)
        if materialization.asset_key == PUBLICATION:
            stage.publish_dir = _metadata_value(metadata, "publish_dir")
            stage.tables = sum(key.startswith(ROW_COUNT_PREFIX) for key in metadata)
        elif materialization.asset_key == REPORT:
            stage.report = _metadata_value(metadata, "path")
        self._dbt_progress(stage)

    def _checked(self, stage: Stage, evaluation) -> None:
        stage.checks += 1
        metadata = evaluation.metadata
        stage.rules += int(_metadata_value(metadata, "evaluated_expectations", 0) or 0)
        stage.rule_failures += int(_metadata_value(metadata, "critical_failures", 0) or 0)
        warned = int(_metadata_value(metadata, "warnings", 0) or 0)
        stage.rule_warnings += warned
        if not evaluation.passed:
            if evaluation.severity == dg.AssetCheckSeverity.ERROR:
                stage.checks_failed += 1
            else:
                stage.checks_warned += 1
                self.warnings[f"{evaluation.asset_key.to_user_string()} [{evaluation.check_name}]"] += max(warned, 1)
        self._dbt_progress(stage)

    def _dbt_progress(self, stage: Stage) -> None:
        total = stage.planned_assets + stage.planned_checks
        if stage.name != TRANSFORM or not total:
            return
        quarter = (stage.materialized + stage.checks) * PROGRESS_STEPS // total
        if stage.shown_progress < quarter < PROGRESS_STEPS:
            stage.shown_progress = quarter
            self.say(stage.name, f"{stage.materialized}/{stage.planned_assets} models, "
                                 f"{stage.checks}/{stage.planned_checks} tests")

    def _end_text(self, stage: Stage) -> str:
        seconds = f"({time.perf_counter() - stage.started:.1f} s)"
        outcome = "FAILED" if stage.failed or stage.checks_failed else "done"
        if stage.name == INGEST:
            text = f"{stage.materialized}/{len(stage.steps)} files, {stage.rows:,} rows"
        elif stage.name == TRANSFORM:
            text = (f"{stage.materialized}/{stage.planned_assets} models, {stage.checks}/{stage.planned_checks} tests"
                    f", {stage.checks_failed} failed, {stage.checks_warned} warned")
        elif stage.name in (SOURCE_CHECKS, KPI_CHECKS):
            text = (f"{_plural(stage.checks, 'suite')}, {stage.rules:,} rules checked, "
                    f"{stage.rule_failures} failed, {_plural(stage.rule_warnings, 'warning')}")
        else:
            text = (f"{_plural(stage.tables, 'table')} in kpi.duckdb and parquet/, swapped in at {stage.publish_dir}"
                    if stage.publish_dir else "nothing published")
        if stage.failed and not stage.checks_failed:
            text += f"; step {', '.join(sorted(stage.failed))} failed"
        return f"{outcome}: {text} {seconds}"

    def close(self) -> None:
        """Say which planned stages never started (an earlier stage failed)."""
        for stage in self.stages.values():
            if stage.started is None:
                self.say(stage.name, "not run: an earlier stage failed")

    def summary(self) -> list[str]:
        """Counts over the whole run, and the warnings with where to look."""
        stages = self.stages.values()
        files = sum(s.materialized for s in stages if s.name == INGEST)
        rows = sum(s.rows for s in stages if s.name == INGEST)
        suites = sum(s.checks for s in stages if s.name in (SOURCE_CHECKS, KPI_CHECKS))
        rules = sum(s.rules for s in stages)
        tests = sum(s.checks for s in stages if s.name == TRANSFORM)
        lines = [f"{files} files, {rows:,} rows ingested; {suites} GX suites ({rules:,} rules) "
                 f"and {tests} dbt tests run"]
        report = next((s.report for s in stages if s.report), None)
        if report:
            lines.append(f"report: {report}")
        total = sum(self.warnings.values()) + self.log_warnings
        if total:
            parts = [f"{count} on {where}" for where, count in sorted(self.warnings.items())]
            if self.log_warnings:
                parts.append(f"{self.log_warnings} logged")
            lines.append(f"warnings: {total} ({'; '.join(parts)}); details in the log file and the UI")
        return lines
