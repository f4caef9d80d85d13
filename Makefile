# refarch: every task goes through here. `make serve` and `make test` work on a fresh clone
# with only python3 and make: the first target they need creates .venv and installs into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install test lint format serve site bench schema validate clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## test: schema and catalog checks, then the whole test suite (not the benchmarks)
test: install
	$(BIN)/refarch schema --check
	$(BIN)/refarch validate
	$(BIN)/python -m pytest -q

## lint: ruff and mypy (strict) over the package and tests
lint: install
	$(BIN)/ruff check generators tests
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix generators tests
	$(BIN)/ruff format generators tests

## serve: build the site from the catalog, then serve it and the JSON API on http://127.0.0.1:8000
serve: install
	$(BIN)/refarch serve --rebuild --host $(HOST) --port $(PORT)

site: install
	$(BIN)/refarch site build

schema: install
	$(BIN)/refarch schema

validate: install
	$(BIN)/refarch validate

## bench: repeated runs, medians and same-run baselines (never part of `make test`)
bench: install
	$(BIN)/python tests/benchmarks/run.py

clean:
	rm -rf build site/generated .pytest_cache .mypy_cache .ruff_cache
