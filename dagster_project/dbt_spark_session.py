"""dbt's command line, able to run dbt Python models on dbt-spark's ``session`` method.

dbt-spark runs Python models only on Databricks (its submission helpers call the Databricks
API); with ``method: session`` dbt already holds a local SparkSession, so this adds a
``session`` submission helper that executes the compiled model in that session, and makes it
the default where the profile's method is ``session``. A cluster or Databricks profile keeps
dbt-spark's own helpers. ``bin/dbt-spark-session`` starts this module; the dbt runner and the
dbt resource use it as the dbt executable when ``KPI_ENGINE=spark``.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.base import PythonJobHelper

SESSION = "session"


class SessionPythonJobHelper(PythonJobHelper):
    """Executes a compiled dbt Python model (its code ends by writing the table) in dbt's session."""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        self.name = parsed_model.get("original_file_path", "dbt Python model")

    def submit(self, compiled_code: str) -> None:
        from pyspark.sql import SparkSession

        spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        exec(compile(compiled_code, self.name, "exec"), {"spark": spark, "__name__": "__dbt_model__"})


def install() -> None:
    """Register the ``session`` helper on dbt-spark's adapter (idempotent)."""
    from dbt.adapters.spark.impl import SparkAdapter

    if SESSION in SparkAdapter.python_submission_helpers.fget(SparkAdapter):
        return
    helpers, default = SparkAdapter.python_submission_helpers, SparkAdapter.default_python_submission_method
    SparkAdapter.python_submission_helpers = property(lambda self: {**helpers.fget(self),
                                                                    SESSION: SessionPythonJobHelper})
    SparkAdapter.default_python_submission_method = property(
        lambda self: SESSION if self.config.credentials.method == SESSION else default.fget(self))


def main() -> None:
    install()
    from dbt.cli.main import cli

    cli()


if __name__ == "__main__":
    main()
