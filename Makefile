# Every target builds or updates .venv from the lock files by itself: on a fresh machine
# `make run` and `make test` need no other step. requirements.lock is what the pipeline runs on;
# requirements-dev.lock is the same versions plus the dev group of pyproject.toml (pytest,
# psutil for benchmarks/, ruff, sqlfluff), which only `make test` installs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
RUN_STAMP := $(VENV)/.synced-run
DEV_STAMP := $(VENV)/.synced-dev
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

SCALE ?= demo
SEED ?= 42
OUT ?= seeds
PORT ?= 3000

.PHONY: run test test-fast lint chromium java report ui generate contract lock clean help bi bi-build bi-env bi-lock
.PHONY: serve-webserver serve-daemon postgresql

help:
	@echo "make run       refresh every asset on the sources in \$$KPI_SOURCE_DIR (default seeds/)"
	@echo "make test      run the whole test suite (pytest + dbt unit tests)"
	@echo "make test-fast the suite without the tests on the medium dataset (for iteration)"
	@echo "make lint      ruff on the Python code, sqlfluff (dbt templater) on the dbt models"
	@echo "make report    rebuild the HTML report of the current publication (\$$KPI_PUBLISH_DIR/report/index.html)"
	@echo "make ui        the Dagster UI and its daemon on http://127.0.0.1:\$$PORT (3000) until Ctrl-C"
	@echo "make generate  write synthetic sources: SCALE=demo|medium|large SEED=42 OUT=seeds"
	@echo "make contract  rewrite expectations/, docs/validation.md and docs/published_tables.md from the contracts"
	@echo "make chromium  install Debian's chromium for the browser tests where /usr/bin/chromium is missing"
	@echo "make serve-webserver / make serve-daemon  the production instance (PostgreSQL, KPI_PG_*; README)"
	@echo "make postgresql install Debian's PostgreSQL where it is missing (the production-instance test)"
	@echo "make java      install Debian's Java 17 runtime for the Spark engine where java is missing"
	@echo "make lock      re-resolve requirements.lock and requirements-dev.lock from pyproject.toml"
	@echo "make bi        the KPI report (Streamlit) on \$$KPI_PUBLISH_DIR, http://127.0.0.1:\$$BI_PORT (8501)"
	@echo "make bi-build  install the report's environment (bi/.venv) and check every page headless"

# --compile-bytecode: this machine sets PYTHONDONTWRITEBYTECODE, so without it every process
# (each dbt run too) compiles dagster, dbt and GX from source: seconds of start-up each time.
define sync_venv
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(PY) $(1)
endef

# The runtime alone; a venv synced for the tests (the same versions and more) serves as well.
$(RUN_STAMP): requirements.lock Makefile
	$(call sync_venv,requirements.lock)
	rm -f $(DEV_STAMP)
	touch $@

$(DEV_STAMP): requirements.lock requirements-dev.lock Makefile
	$(call sync_venv,requirements-dev.lock)
	touch $(RUN_STAMP) $@

# VERBOSE=1 streams the full Dagster event log (always written to data/logs/<run id>.log).
run: $(RUN_STAMP) $(if $(filter spark,$(KPI_ENGINE)),java)
	$(PY) -m dagster_project.run $(if $(filter-out 0,$(VERBOSE)),--verbose)

# The report's browser test drives Debian's chromium (Playwright cannot download its browsers
# here); installed where missing, so the test runs and is never skipped.
chromium:
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# The Spark engine (KPI_ENGINE=spark; pyspark comes from the lock files) needs a JVM: Debian's
# Java 17 runtime, installed where no java is on the PATH, so the Spark tests run and are never skipped.
java:
	command -v java >/dev/null || (apt-get update && apt-get install -y openjdk-17-jre-headless)

# dbt compiles every model for sqlfluff, connected to a scratch warehouse of its own.
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	mkdir -p data/lint
	KPI_ENGINE=duckdb KPI_WAREHOUSE=$(CURDIR)/data/lint/warehouse.duckdb $(VENV)/bin/sqlfluff lint dbt_project/models

test: $(DEV_STAMP) chromium java postgresql lint
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(DEV_STAMP) chromium java postgresql
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

report: $(RUN_STAMP)
	$(PY) -m dagster_project.report

ui: $(RUN_STAMP) $(if $(filter spark,$(KPI_ENGINE)),java)
	$(PY) -m dagster_project.prepare
	$(PY) -m dagster_project.ui --port $(PORT)

# The production instance (README "Production"): the webserver and the daemon as two processes
# sharing deploy/production/dagster.yaml, PostgreSQL storage read from KPI_PG_HOST, KPI_PG_PORT,
# KPI_PG_DB, KPI_PG_USER, KPI_PG_PASSWORD. `make run` and `make ui` keep dagster_home/ (SQLite).
PROD_HOME := $(CURDIR)/deploy/production
KPI_DAGSTER_STORAGE ?= $(CURDIR)/data/dagster-production
WORKSPACE ?= workspace.yaml
WEBSERVER_HOST ?= 127.0.0.1
WEBSERVER_PORT ?= 3000
PROD_ENV := DAGSTER_HOME=$(PROD_HOME) KPI_DAGSTER_STORAGE=$(KPI_DAGSTER_STORAGE)
# the two processes start together: one dbt parse at a time, or one reads a half-written manifest
PREPARE_ONCE := flock $(VENV)/.prepare.lock $(PY) -m dagster_project.prepare

serve-webserver: $(RUN_STAMP)
	$(PREPARE_ONCE)
	$(PROD_ENV) exec $(VENV)/bin/dagster-webserver -w $(WORKSPACE) -h $(WEBSERVER_HOST) -p $(WEBSERVER_PORT)

serve-daemon: $(RUN_STAMP)
	$(PREPARE_ONCE)
	$(PROD_ENV) exec $(VENV)/bin/dagster-daemon run -w $(WORKSPACE)

# Debian's PostgreSQL server (initdb, pg_ctl in /usr/lib/postgresql/NN/bin) for the test of the
# production instance, which starts its own server; installed where missing.
postgresql:
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update && apt-get install -y postgresql)

generate: $(RUN_STAMP)
	$(PY) -m synthetic --scale $(SCALE) --seed $(SEED) --out $(OUT)

contract: $(RUN_STAMP)
	$(PY) -m dagster_project.validation.suites
	$(PY) -m dagster_project.output_contract

# The dev lock is resolved first (runtime and dev together), then the runtime lock is the same
# versions without the dev group: `make run` and `make test` never disagree on a version.
lock: $(RUN_STAMP)
	$(VENV)/bin/uv pip compile --quiet pyproject.toml --group dev -o requirements-dev.lock
	$(VENV)/bin/uv pip compile --quiet pyproject.toml -c requirements-dev.lock -o requirements.lock

# The BI report (bi/) has its own environment, bi/.venv, from bi/requirements.lock: only the bi
# targets install it; `make test` runs tests/test_bi.py only where it exists.
BI_VENV := bi/.venv
BI_STAMP := $(BI_VENV)/.synced
BI_PORT ?= 8501

$(BI_STAMP): bi/requirements.lock $(RUN_STAMP)
	test -x $(BI_VENV)/bin/python || $(PYTHON) -m venv $(BI_VENV)
	$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(BI_VENV)/bin/python bi/requirements.lock
	touch $(BI_STAMP)

bi-env: $(BI_STAMP)

bi-build: $(BI_STAMP)
	cd bi && .venv/bin/python check.py

bi: bi-build
	@echo "KPI report: http://127.0.0.1:$(BI_PORT)  (Ctrl-C stops it)"
	cd bi && exec .venv/bin/streamlit run app.py --server.port $(BI_PORT)

bi-lock: $(RUN_STAMP)
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 bi/requirements.in -o bi/requirements.lock

clean:
	rm -rf data dbt_project/target dbt_project/logs
