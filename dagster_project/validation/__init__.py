"""Great Expectations validation of the sources and the KPI tables, pushed down to DuckDB."""
