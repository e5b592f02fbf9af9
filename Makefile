# The two commands the README opens with: `make demo` and `make test`.
# Everything they need is installed here, from PyPI and Debian's packages, so a fresh
# clone on a fresh machine works with nothing done by hand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: demo test test-postgres test-sqlite check lint typecheck install clean

demo: install
	$(BIN)/shinealight demo

test: install
	@echo "== test suite on PostgreSQL 15 (throwaway cluster) =="
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS)
	@echo "== test suite on embedded SQLite =="
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

check: lint typecheck test

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
