"""What the UI shows about a table: its column schema, its published location, and a preview of
its first rows (markdown) with its row count, read from the warehouse after it was built."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.output_contract import PublishedTable
from dagster_project.sql import identifier

PREVIEW_ROWS = 5
OWNERS = ["team:data-engineering"]


def markdown_preview(con, schema: str, table: str, rows: int = PREVIEW_ROWS) -> str:
    """The first ``rows`` rows of ``schema.table`` as a markdown table."""
    cursor = con.execute(f"SELECT * FROM {identifier(schema)}.{identifier(table)} LIMIT ?", [rows])
    names = [d[0] for d in cursor.description]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in cursor.fetchall()]
    return "\n".join(lines)


def built_table_metadata(con, schema: str, table: str) -> dict:
    """Row count and preview of a table just built, for its materialisation."""
    [(rows,)] = con.execute(f"SELECT count(*) FROM {identifier(schema)}.{identifier(table)}").fetchall()
    return {"dagster/row_count": rows, "preview": dg.MetadataValue.md(markdown_preview(con, schema, table))}


def published_table_metadata(table: PublishedTable, publish_dir: Path) -> dict:
    """The contract's column schema (types, descriptions, NULL allowed) and where BI tools read
    the table: its Parquet file (``dagster/uri``) and its table in ``kpi.duckdb``."""
    return {
        "dagster/column_schema": dg.TableSchema(columns=[
            dg.TableColumn(c.name, c.type, description=c.description,
                           constraints=dg.TableColumnConstraints(nullable=c.nullable))
            for c in table.columns]),
        "dagster/table_name": f"kpi.main.{table.name}",
        "dagster/uri": str(publish_dir / "parquet" / f"{table.name}.parquet"),
        "published_database": dg.MetadataValue.path(str(publish_dir / "kpi.duckdb")),
        "grain": ", ".join(table.grain),
    }
