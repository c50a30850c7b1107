# crowd-monitor: `make run` starts the demo, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXTRAS ?= dev
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= data

.PHONY: setup run test lint typecheck unit samples bench clean

$(BIN)/.installed-$(EXTRAS): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[$(EXTRAS)]'
	touch $@

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error

setup: $(BIN)/.installed-$(EXTRAS) web/node_modules/.package-lock.json

samples: setup
	$(BIN)/crowd-monitor samples

run: setup samples
	$(BIN)/crowd-monitor serve --config configs/demo.yaml --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup samples
	$(BIN)/pytest

test: lint typecheck unit

bench: setup samples
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) web/node_modules .mypy_cache .pytest_cache .ruff_cache
