"""Assemble the one self-contained HTML file: inline CSS, inline JS, the data as embedded JSON.

Nothing is linked: no stylesheet, script, image or font is loaded from anywhere, so the file
opens from disk without a network. The static parts (executive summary, trust section) are
written here; the charts are drawn in the browser from the embedded data by assets/*.js.
"""

from __future__ import annotations

import json
import re
from html import escape
from importlib import resources

from dagster_project.report.data import Publication
from dagster_project.report.fmt import fmt_int
from dagster_project.report.payload import payload
from dagster_project.report.story import Figure, executive_summary

ARROWS = {"up": "▲", "down": "▼", "flat": "►"}
NOT_RECORDED = "not recorded"


def _asset(name: str) -> str:
    return resources.files("dagster_project.report").joinpath("assets", name).read_text(encoding="utf-8")


def _e(value) -> str:
    return escape(str(value), quote=True)


def _figure(f: Figure) -> str:
    direction = f.direction
    quality = "" if f.is_good is None else ("good" if f.is_good else "bad")
    if direction is None:
        change = "no comparison"
    else:
        change = (f"{ARROWS[direction]} {'no change' if direction == 'flat' else direction} "
                  f"from {f.previous_text} a year earlier")
    flags = ""
    if f.small_sample:
        flags += '<span class="flag" title="fewer people than min_group_size: a small sample">small sample</span>'
    attrs = {"data-kpi": f.key, "data-value": "" if f.value is None else repr(f.value),
             "data-direction": direction or "", "data-small-sample": str(f.small_sample).lower()}
    if f.suppressed:
        attrs["data-suppressed"] = f.suppressed
    spark = '<div id="spark-headcount" class="spark"></div>' if f.key == "headcount" else ""
    attr_text = " ".join(f'{k}="{_e(v)}"' for k, v in attrs.items())
    return (f'<article class="kpi" {attr_text}><h3>{_e(f.label)}</h3><p class="value">{_e(f.text)}{flags}</p>'
            f'<p class="change {quality}">{_e(change)}</p>{spark}<p class="sentence">{_e(f.sentence)}</p></article>')


def _table(table_id: str, header: str, rows: str, attributes: str = "") -> str:
    """A table of the trust section: its id, header cells and body rows."""
    return f'<table id="{table_id}"{attributes}><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>'


def _validation(pub: Publication) -> str:
    v = pub.validation
    if v is None:
        return (f'<p class="note" data-validation="absent">Validation summary: {NOT_RECORDED} '
                'in this publication\'s manifest.</p>')
    counts = " · ".join(f"{label}: <b>{_e(fmt_int(v[key]) if v.get(key) is not None else NOT_RECORDED)}</b>"
                        for key, label in (("checks", "checks evaluated"), ("expectations", "GX expectations"),
                                           ("dbt_tests", "dbt tests")))
    warnings = v.get("warnings") or []
    if warnings:
        rows = "".join(f"<tr><td class='mono'>{_e(w.get('asset', ''))}</td>"
                       f"<td class='mono'>{_e(w.get('rule', ''))}</td>"
                       f"<td class='num'>{_e(fmt_int(w.get('count')))}</td></tr>" for w in warnings)
        table = _table("table-warnings", '<th>asset</th><th>rule (warning)</th><th class="num">rows</th>', rows)
    else:
        table = "<p class=\"note\">No warning: every rule passed.</p>"
    return f'<p data-validation="present">{counts}. Every blocking rule passed (else nothing is published).</p>{table}'


def _sources(pub: Publication) -> str:
    sources = pub.manifest.get("sources") or []
    if not sources:
        return f"<p class=\"note\">Sources: {NOT_RECORDED}.</p>"
    rows = "".join(f"<tr><td class=\"mono\">{_e(s.get('name'))}</td>"
                   f"<td class=\"num\">{_e(fmt_int(s.get('row_count')))}</td>"
                   f"<td class=\"mono\" title=\"{_e(s.get('sha256'))}\">"
                   f"{_e((s.get('sha256') or NOT_RECORDED)[:16])}…</td></tr>"
                   for s in sources)
    return _table("table-sources", '<th>source file</th><th class="num">rows</th><th>SHA-256 (first 16)</th>', rows)


def _parameters(pub: Publication) -> str:
    params = pub.parameters
    if params is None:
        return (f'<p class="note" data-parameters="absent">KPI parameters: {NOT_RECORDED} in this publication\'s '
                "manifest (small samples are marked below the default min_group_size of 5).</p>")
    rows = "".join(f"<tr><td class=\"mono\">{_e(k)}</td><td class=\"num\">{_e(v)}</td></tr>"
                   for k, v in sorted(params.items()))
    return _table("table-parameters", '<th>parameter</th><th class="num">value</th>', rows,
                  ' data-parameters="present"')


def _tables(pub: Publication) -> str:
    tables = pub.manifest.get("tables") or {}
    return ", ".join(f"{_e(name)} ({_e(fmt_int(t.get('row_count')))})" for name, t in tables.items())


def _json_for_script(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


def render(pub: Publication) -> str:
    figures = executive_summary(pub)
    data = payload(pub)
    summary = "\n".join(_figure(f) for f in figures)
    m = pub.manifest
    template = _asset("template.html")
    replacements = {
        "STYLE": _asset("report.css"),
        "AS_OF_DATE": _e(m["as_of_date"]),
        "AS_OF_MONTH": _e(data["as_of_month"][:7]),
        "RUN_ID": _e(m.get("run_id", NOT_RECORDED)),
        "PUBLISHED_AT": _e(m.get("published_at", NOT_RECORDED)),
        "SUMMARY": summary,
        "MIN_GROUP_SIZE": _e(data["min_group_size"])
                          + ("" if data["min_group_size_recorded"] else f" ({NOT_RECORDED}: the default)"),
        "VALIDATION": _validation(pub),
        "SOURCES": _sources(pub),
        "PARAMETERS": _parameters(pub),
        "TABLES": _tables(pub),
        "DATA": _json_for_script(data),
        "SCRIPT": _asset("charts.js") + "\n" + _asset("report.js"),
    }
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda match: replacements[match.group(1)], template)
