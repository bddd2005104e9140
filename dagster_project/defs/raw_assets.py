"""Ingestion: one asset per source file, made by :func:`build_raw_asset` from the contract."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.contract import SOURCES, SourceFile
from dagster_project.defs.resources import WAREHOUSE_POOL, Engine, SourceDirectory
from dagster_project.defs.table_metadata import OWNERS, markdown_preview
from dagster_project.ingest import SourceFileError, load, locate
from dagster_project.landing import land

RAW_GROUP = "raw"


def raw_asset_key(source: SourceFile) -> dg.AssetKey:
    """The key of the raw asset of ``source`` (``raw/<name>``): the one place it is built."""
    return dg.AssetKey(["raw", source.name])


def build_raw_asset(source: SourceFile) -> dg.AssetsDefinition:
    """The asset that loads ``<source dir>/<system>/<name>.csv[.gz]`` into ``raw.<name>`` and, on
    the Spark engine, lands it as Parquet in the landing zone Spark reads."""

    @dg.asset(
        key=raw_asset_key(source),
        group_name=RAW_GROUP,
        kinds={"csv", "duckdb"},
        pool=WAREHOUSE_POOL,
        owners=OWNERS,
        description=(
            f"{source.description} Raw copy of `{source.relative_stem}.csv` (or `.csv.gz`), typed "
            f"as docs/sources.md declares; a value that does not parse fails the asset with file, "
            f"line, column and value. On the Spark engine (KPI_ENGINE=spark) the table is also "
            f"written as Parquet to the landing zone, `<KPI_LANDING_DIR>/{source.name}/`."
        ),
        metadata={
            "dagster/column_schema": dg.TableSchema(columns=[
                dg.TableColumn(c.name, c.type, description=f"one of: {', '.join(c.enum)}" if c.enum else None,
                               constraints=dg.TableColumnConstraints(nullable=c.nullable))
                for c in source.columns
            ]),
            "dagster/table_name": f"raw.{source.name}",
        },
    )
    def _raw(context: dg.AssetExecutionContext, warehouse: DuckDBResource, sources: SourceDirectory,
             engine: Engine) -> dg.MaterializeResult:
        try:
            path = locate(Path(sources.path), source)
            with warehouse.get_connection() as con:
                result = load(con, source, path)
                preview = markdown_preview(con, "raw", source.name)
                landed = land(con, source.name, Path(engine.landing_dir), context.run_id) if engine.is_spark else None
        except SourceFileError as error:
            raise dg.Failure(
                description=str(error),
                metadata={"file": error.file, "line": error.line, "column": error.column, "value": error.value},
            ) from None
        for column in result.extra_columns:
            context.log.warning(f"{path}: column {column!r} is not in the contract and is ignored")
        return dg.MaterializeResult(metadata={
            "dagster/row_count": result.row_count,
            "file": str(result.path),
            "size_bytes": result.size_bytes,
            "sha256": result.sha256,
            "ignored_columns": ", ".join(result.extra_columns) or "none",
            **({"landing": dg.MetadataValue.path(str(landed))} if landed else {}),
            "preview": dg.MetadataValue.md(preview),
        })

    return _raw


RAW_ASSETS = [build_raw_asset(source) for source in SOURCES]
