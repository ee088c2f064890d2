# VetQL: `make run` serves the demo; `make test` runs lint, types and the suite on real PostgreSQL.
# Both set themselves up on a fresh clone (venv, install, embedded PostgreSQL) and are safe to re-run.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint typecheck pytest bench bench-live schema clients assets install clean

$(STAMP): pyproject.toml
	@echo "==> creating virtualenv in $(VENV) and installing VetQL with its dev tools"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	@$(BIN)/vetql demo --if-empty
	@$(BIN)/vetql serve

test: install lint typecheck pytest

lint: install
	@echo "==> ruff"
	@$(BIN)/ruff check .

typecheck: install
	@echo "==> mypy (strict on server/, graph/, domain/, db/, demo/)"
	@$(BIN)/mypy server graph domain db demo

pytest: install
	@if [ -n "$$DATABASE_URL" ]; then echo "==> pytest on real PostgreSQL (the server in DATABASE_URL)"; \
	else echo "==> pytest on real PostgreSQL (embedded, data in $${VETQL_DATA_DIR:-.vetql})"; fi
	@$(BIN)/pytest

bench: install
	@$(BIN)/python -m bench

bench-live: install
	@$(BIN)/python -m bench.live

schema: install
	@$(BIN)/vetql schema > schema.graphql
	@echo "==> wrote schema.graphql"

clients:  # development only (npm): TypeScript types from schema.graphql, checksum recorded
	@scripts/generate-clients.sh

assets:  # development only (npm): GraphiQL, React, the explorer plugin and uPlot into server/static/vendor
	@scripts/refresh-assets.sh

clean:
	rm -rf $(VENV) .vetql .pytest_cache .mypy_cache .ruff_cache
