# The README's commands. `make demo` and `make test` work on a fresh machine: they create .venv
# with a Python >= 3.12 they find, install the project, and run.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
export PARCOURS_HOME ?= $(CURDIR)/.parcours
export DAGSTER_HOME ?= $(PARCOURS_HOME)/dagster
# Privacy by default: no telemetry from Dagster, dg or MLflow.
export DAGSTER_DISABLE_TELEMETRY := 1
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1

.PHONY: help setup system-deps test-deps demo test test-fast lint ui mlflow notebooks bench bench-pipeline clean

help:
	@echo "make demo   set up, generate the demo log, run the whole pipeline"
	@echo "make test   set up and run every test (what .ci/run runs)"
	@echo "make ui     the Dagster UI on the same instance and data"
	@echo "make mlflow the MLflow UI on the runs' store (where the assets' MLflow links point)"
	@echo "make notebooks  JupyterLab on notebooks/ (they open on the last run's outputs)"
	@echo "make bench  the benchmarks (see benchmarks/BENCHMARKS.md)"
	@echo "make bench-pipeline  the whole pipeline at 100k, 1M and 5M events beside pm4py"

setup: system-deps $(VENV)/.installed $(DAGSTER_HOME)/dagster.yaml

# graphviz (dot) for the process pictures, from Debian's packages when missing.
system-deps:
	@scripts/system-deps

# and for the tests: chromium (the report's browser check) and postgresql (the production test).
test-deps:
	@scripts/system-deps test

$(VENV)/.installed: pyproject.toml
	@py=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(BIN)/python ]; then echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV) || exit 1; fi
	$(BIN)/python -m pip install --quiet --upgrade uv
	$(BIN)/uv pip install --python $(BIN)/python --quiet -e '.[dev]'
	@touch $@

$(DAGSTER_HOME)/dagster.yaml:
	@mkdir -p $(DAGSTER_HOME)
	@printf 'telemetry:\n  enabled: false\n' > $@

demo: setup
	$(BIN)/parcours demo

test: setup test-deps
	$(BIN)/ruff check src pipelines tests benchmarks
	$(BIN)/pytest -m "not notebooks" --durations=25
	cd pipelines && ../$(BIN)/dg check defs
	$(BIN)/pytest -m notebooks --no-header -q

# the library, the architecture and the direct asset tests, on every core: under two minutes on two (README)
test-fast: setup
	$(BIN)/pytest -m "not slow and not notebooks and not spark and not browser" -n auto -x -q

ui: setup
	$(BIN)/parcours ui

# The MLflow UI on the same store, at http://127.0.0.1:5000, where the outputs' MLflow links point.
mlflow: setup
	$(BIN)/parcours mlflow

# JupyterLab with the project's kernel; the percent-format notebooks/*.py open as notebooks (jupytext).
notebooks: setup
	$(BIN)/uv pip install --python $(BIN)/python --quiet -e '.[dev,notebooks]'
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@printf '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}}}\n' \
		> $(VENV)/share/jupyter/lab/settings/overrides.json
	$(BIN)/jupyter lab notebooks/

bench: setup
	$(BIN)/uv pip install --python $(BIN)/python --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_ingest.py
	cd benchmarks && ../$(BIN)/python bench_mining.py
	cd benchmarks && ../$(BIN)/python bench_journeys.py
	cd benchmarks && ../$(BIN)/python journeys_on_logs.py
	cd benchmarks && ../$(BIN)/python bench_value.py
	cd benchmarks && ../$(BIN)/python bench_impact.py
	cd benchmarks && ../$(BIN)/python bench_impact_entry.py --gate --cores
	cd benchmarks && ../$(BIN)/python bench_triggers.py
	cd benchmarks && ../$(BIN)/python bench_profile.py
	cd benchmarks && ../$(BIN)/python bench_startup.py
	cd benchmarks && ../$(BIN)/python bench_pipeline.py

# the whole pipeline at 100k, 1M and 5M events (and the relational stages at 20M) beside pm4py: about an hour
bench-pipeline: setup
	cd benchmarks && ../$(BIN)/python bench_pipeline.py

clean:
	rm -rf $(VENV) $(PARCOURS_HOME)
