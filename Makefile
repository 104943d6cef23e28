# lookback: `make demo` runs the main job on the bundled sandbox; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export LOOKBACK_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: venv demo test test-sqlite test-postgres lint bench bench-quick soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/lookback demo --out demo-output

test: venv
	scripts/test-all

test-sqlite: venv
	$(BIN)/python -m pytest

test-postgres: venv
	LOOKBACK_TEST_DATABASE_URL=$(LOOKBACK_TEST_POSTGRES_URL) $(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: venv
	$(BIN)/python -m bench

bench-quick: venv
	$(BIN)/python -m bench --quick

soak: venv
	LOOKBACK_SOAK=1 scripts/test-all -m soak

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
