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

# Say what the first run installs and show pip's progress, so a newcomer never wonders whether it hangs.
$(STAMP): pyproject.toml
	@echo "refarch: installing into $(VENV) (first run, or pyproject.toml changed): refarch and what it needs"
	@echo "refarch: (pydantic, PyYAML, click, mkdocs-material, FastAPI, uvicorn, mermaid and Swagger UI files; for tests pytest, ruff, mypy);"
	@echo "refarch: this takes a minute or two; later runs skip it"
	@echo "refarch: [1/3] creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "refarch: [2/3] upgrading pip"
	$(BIN)/python -m pip install --progress-bar on --upgrade pip
	@echo "refarch: [3/3] installing refarch (editable) with its test tools"
	$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	@touch $(STAMP)
	@echo "refarch: installed into $(VENV)"

## test: schema and catalog checks, then the whole test suite (not the benchmarks)
test: install
	@echo "refarch: checking the schemas and the catalog, then running the test suite (about a minute)"
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
