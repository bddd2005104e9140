"""The GX expectation behind every SQL rule: the rows a query returns break the rule.

GX's own ``UnexpectedRowsExpectation`` evaluates its query twice, once to count the rows and
once to fetch up to 200 of them, whatever the result format. For a rule that aggregates (key
uniqueness, weekly totals, employment spells) over a 10 M-row table that is a second full
evaluation, about half of the source validation at the large scale (docs/benchmarks.md). This
subclass only counts; the runner reads a few sample rows of a failed rule itself, afterwards.
It keeps the parent's query checks and Data Docs rendering.
"""

from __future__ import annotations

from typing import Any, ClassVar

from great_expectations.expectations import UnexpectedRowsExpectation

ROW_COUNT_METRIC = "unexpected_rows_query.row_count"


class ExpectQueryToReturnNoRows(UnexpectedRowsExpectation):
    ("GX type ``expect_query_to_return_no_rows`` (suites.SQL_RULE_TYPE). "
     "Success when ``unexpected_rows_query`` returns no row; the count is the observed value.")

    metric_dependencies: ClassVar[tuple[str, ...]] = (ROW_COUNT_METRIC,)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None,
                  execution_engine: Any = None) -> dict:
        count = metrics[ROW_COUNT_METRIC]
        return {"success": count == 0, "result": {"observed_value": count}}

