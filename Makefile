# The two commands a newcomer needs: `make demo` and `make test`.
# Both create .venv and install the project on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck chaos bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,embedded,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/khaacho demo

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

chaos: $(STAMP)
	$(BIN)/pytest -q -m chaos tests/chaos

bench: $(STAMP)
	$(BIN)/khaacho bench

clean:
	rm -rf $(VENV) .khaacho .pytest_cache .mypy_cache .ruff_cache
