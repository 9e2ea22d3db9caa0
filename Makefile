# The two commands a newcomer needs:  make build  (the warehouse)  and  make test  (the suite).
SHELL := /bin/bash
.DEFAULT_GOAL := build

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
RAW_ROOT ?= data/raw

# No usage tracking by dbt or Great Expectations; dbt reads profiles/ in this repository.
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export PATH := $(CURDIR)/$(BIN):$(PATH)

DBT_VARS := --vars '{raw_root: $(RAW_ROOT)}'

.PHONY: build test install data dbt-build docs lint format bench bench-bronze clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the pinned dependencies change.
$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED)

data: install
	$(BIN)/market-warehouse prepare --raw-root $(RAW_ROOT)

dbt-build: data
	mkdir -p warehouse
	$(BIN)/dbt build --target dev $(DBT_VARS)
	$(BIN)/market-warehouse qa --db warehouse/market.duckdb

docs: dbt-build
	$(BIN)/dbt docs generate --target dev $(DBT_VARS)

build: docs

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MW_DUCKDB_PATH=target/lint.duckdb $(BIN)/sqlfluff lint models tests analyses

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: docs lint
	$(BIN)/market-warehouse conventions --manifest target/manifest.json
	$(BIN)/pytest -q

bench-bronze: install
	$(BIN)/python -m market_warehouse.bench --layers bronze

bench: install
	$(BIN)/python -m market_warehouse.bench --frames

clean:
	rm -rf target logs warehouse dbt_packages
