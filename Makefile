# Every target builds or updates .venv from requirements.lock by itself: on a fresh
# machine `make run` and `make test` need no other step.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
STAMP := $(VENV)/.synced
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

SCALE ?= demo
SEED ?= 42
OUT ?= seeds

.PHONY: run test test-fast ui generate contract lock bench clean help bi bi-build bi-env bi-lock

help:
	@echo "make run       refresh every asset on the sources in \$$KPI_SOURCE_DIR (default seeds/)"
	@echo "make test      run the whole test suite (pytest + dbt unit tests)"
	@echo "make test-fast the suite without the tests on the medium dataset (for iteration)"
	@echo "make ui        serve the Dagster UI on http://127.0.0.1:3000"
	@echo "make generate  write synthetic sources: SCALE=demo|medium|large SEED=42 OUT=seeds"
	@echo "make contract  rewrite expectations/, docs/validation.md and docs/published_tables.md from the contracts"
	@echo "make lock      re-resolve requirements.lock from pyproject.toml"
	@echo "make bi        the KPI report (Streamlit) on \$$KPI_PUBLISH_DIR, http://127.0.0.1:\$$BI_PORT (8501)"
	@echo "make bi-build  install the report's environment (bi/.venv) and check every page headless"

# --compile-bytecode: this machine sets PYTHONDONTWRITEBYTECODE, so without it every process
# (each dbt run too) compiles dagster, dbt and GX from source: seconds of start-up each time.
$(STAMP): requirements.lock Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m dagster_project.run

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

ui: $(STAMP)
	$(PY) -m dagster_project.prepare
	$(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

generate: $(STAMP)
	$(PY) -m dagster_project.synthetic --scale $(SCALE) --seed $(SEED) --out $(OUT)

contract: $(STAMP)
	$(PY) -m dagster_project.validation.suites
	$(PY) -m dagster_project.output_contract

lock: $(STAMP)
	$(VENV)/bin/uv pip compile --quiet pyproject.toml -o requirements.lock

# The BI report (bi/) has its own environment, bi/.venv, from bi/requirements.lock: only the bi
# targets install it; `make test` runs tests/test_bi.py only where it exists.
BI_VENV := bi/.venv
BI_STAMP := $(BI_VENV)/.synced
BI_PORT ?= 8501

$(BI_STAMP): bi/requirements.lock $(STAMP)
	test -x $(BI_VENV)/bin/python || $(PYTHON) -m venv $(BI_VENV)
	$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(BI_VENV)/bin/python bi/requirements.lock
	touch $(BI_STAMP)

bi-env: $(BI_STAMP)

bi-build: $(BI_STAMP)
	cd bi && .venv/bin/python check.py

bi: bi-build
	@echo "KPI report: http://127.0.0.1:$(BI_PORT)  (Ctrl-C stops it)"
	cd bi && exec .venv/bin/streamlit run app.py --server.port $(BI_PORT)

bi-lock: $(STAMP)
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 bi/requirements.in -o bi/requirements.lock

clean:
	rm -rf data dbt_project/target dbt_project/logs
