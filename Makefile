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

.PHONY: run test ui generate lock bench clean help

help:
	@echo "make run       refresh every asset on the sources in \$$KPI_SOURCE_DIR (default seeds/)"
	@echo "make test      run the test suite (pytest + dbt unit tests)"
	@echo "make ui        serve the Dagster UI on http://127.0.0.1:3000"
	@echo "make generate  write synthetic sources: SCALE=demo|medium|large SEED=42 OUT=seeds"
	@echo "make lock      re-resolve requirements.lock from pyproject.toml"

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

ui: $(STAMP)
	$(PY) -m dagster_project.prepare
	$(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

generate: $(STAMP)
	$(PY) -m synthetic --scale $(SCALE) --seed $(SEED) --out $(OUT)

lock: $(STAMP)
	$(VENV)/bin/uv pip compile --quiet pyproject.toml -o requirements.lock

clean:
	rm -rf data dbt_project/target dbt_project/logs
