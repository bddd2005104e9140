"""AI-transformation KPI pipeline: Dagster assets over dbt-duckdb models and GX checks."""

import warnings

# GX imports pyspark wherever it is installed (the Spark engine's dependency), and pyspark 4.3 warns
# on import that it does not fully support pandas 3. No pandas frame goes to or from Spark here
# (the Spark engine exchanges Parquet files), so the warning says nothing about this pipeline.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
