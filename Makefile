# Systraite — the commands a newcomer needs. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help venv test test-fast lint lock demo demo-check bench schema clean

help:
	@echo "make test        create the virtual environment if needed, install, run the whole suite"
	@echo "make demo        run a local federation: the hub and the five pilot nodes"
	@echo "make demo-check  run the federation once and check the hub sees all five nodes"
	@echo "make bench       run the benchmarks of bench/"
	@echo "make lint        ruff and mypy"
	@echo "make lock        regenerate requirements/*.lock from pyproject.toml"

# The virtual environment is rebuilt when the lock file changes.
$(STAMP): requirements/dev.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (Python 3.11 is required)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	bash scripts/test-setup.sh
	bash scripts/run-tests.sh $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e and not browser and not ops" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check node hub shared tests bench
	$(BIN)/ruff format --check node hub shared tests bench

schema: $(STAMP)
	$(BIN)/python -m shared.payload > shared/schema/payload.schema.json

lock:
	$(BIN)/python -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --no-header -o requirements/dev.lock
	$(BIN)/python -m uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --no-header -o requirements/base.lock

demo: $(STAMP)
	$(BIN)/python -m scripts.federation run

demo-check: $(STAMP)
	$(BIN)/python -m scripts.federation check

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache
