"""Read a publication (``parquet/<table>.parquet`` + ``manifest.json``) into plain Python values.

The report reads nothing else: never the warehouse, and no column that could name a person
(the output contract has none; :func:`read_publication` refuses one anyway).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.output_contract import PERSON_IDENTIFIERS, PUBLISHED_TABLES
from dagster_project.sql import identifier

MANIFEST = "manifest.json"


class ReportDataError(RuntimeError):
    pass


@dataclass(frozen=True)
class Publication:
    """Every published table as a list of row dicts (dates as ``datetime.date``), and the manifest."""

    tables: dict[str, list[dict]]
    manifest: dict

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.manifest["as_of_date"])

    @property
    def parameters(self) -> dict | None:
        """The KPI parameters in force, or None when the manifest does not record them."""
        return self.manifest.get("parameters")

    @property
    def validation(self) -> dict | None:
        return self.manifest.get("validation")

    def parameter(self, name: str):
        return (self.parameters or {}).get(name)

    def rows(self, table: str) -> list[dict]:
        return self.tables[table]


def read_publication(publish_dir: Path) -> Publication:
    """The publication in ``publish_dir`` (a release directory, or the link to one)."""
    publish_dir = Path(publish_dir)
    manifest_path = publish_dir / MANIFEST
    if not manifest_path.is_file():
        raise ReportDataError(f"{publish_dir} holds no {MANIFEST}: not a publication")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    tables: dict[str, list[dict]] = {}
    with contextlib.closing(duckdb.connect()) as con:
        for table in PUBLISHED_TABLES:
            parquet = publish_dir / "parquet" / f"{table.name}.parquet"
            if not parquet.is_file():
                raise ReportDataError(f"{parquet} is missing")
            columns = list(table.column_names)
            personal = [c for c in columns if any(p in c for p in PERSON_IDENTIFIERS)]
            if personal:
                raise ReportDataError(f"{table.name} has a person identifier column {personal}")
            cursor = con.execute(f"SELECT {', '.join(map(identifier, columns))} FROM read_parquet(?) "
                                 f"ORDER BY {', '.join(map(identifier, table.grain))}", [str(parquet)])
            tables[table.name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return Publication(tables, manifest)
