# Marsad: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: demo test install lint format messages docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The optional transformers extra, for its tests: the CPU build of torch that the
# machines keep on disk (an unpinned torch would pull a multi-GB CUDA build).
TORCH_STAMP := $(VENV)/.installed-transformers
$(TORCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet 'torch==2.13.0' 'transformers>=4.40' || \
		echo "note: torch 2.13.0 not available here; the transformer tests will be skipped"
	touch $(TORCH_STAMP)

install: $(STAMP)

## Run the observatory on SQLite with sample data at http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/marsad demo $(DEMO_ARGS)

## Run the whole test suite (SQLite always; PostgreSQL too when MARSAD_TEST_POSTGRES_URL is set)
test: $(STAMP) $(TORCH_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## Extract translatable strings and merge them into the ar/ckb/en catalogs
messages: $(STAMP)
	$(BIN)/python -m marsad.core.i18n.catalogs update

## Regenerate docs/cli.md and docs/configuration.md from the code
docs: $(STAMP)
	$(BIN)/python -m cogapp -r docs/cli.md docs/configuration.md

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache
