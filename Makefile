# jiandu — one Makefile; `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
JIANDU := $(BIN)/jiandu
STAMP  := $(VENV)/.installed

.PHONY: help setup kafka-up kafka-down protos protos-check docs docs-check lint typecheck contracts check test \
        test-unit test-faults demo prometheus bench soak down clean k8s-check

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## Create .venv and install jiandu with every extra (idempotent)

kafka-up: setup ## Start the local single-node Kafka broker (fetched from Maven Central on first use)
	$(JIANDU) kafka up

kafka-down: setup ## Stop the local Kafka broker(s) started by `make kafka-up`
	$(JIANDU) kafka down

protos: setup ## Regenerate the Python code for protos/ (committed)
	$(BIN)/python -m jiandu_cli.protogen

protos-check: setup ## Fail if the committed generated protobuf code is stale
	$(BIN)/python -m jiandu_cli.protogen --check

docs: setup ## Regenerate the generated docs (events, schema, settings, checks)
	$(BIN)/python -m jiandu_cli.docgen

docs-check: setup ## Fail if a generated doc is stale
	$(BIN)/python -m jiandu_cli.docgen --check

lint: setup ## ruff (lint and format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup ## mypy --strict
	$(BIN)/mypy jiandu jiandu_cli services tests examples

contracts: setup ## import-linter: services independent, kernel and domain free of transports
	$(BIN)/lint-imports

k8s-check: setup ## Build deploy/k8s with kustomize (cached) and validate it: schemas, project rules
	$(BIN)/python -m jiandu_cli.k8scheck

check: lint typecheck contracts protos-check docs-check k8s-check ## All static checks

test: setup check ## Set everything up, start Kafka if needed, run the whole suite
	$(BIN)/pytest -q

test-unit: setup ## Only the tests that need no broker
	$(BIN)/pytest -q -m "not kafka and not faults"

# `make test-faults FAULTS_SCALE=full`; the report: .jiandu/faults/faults.json (docs/reliability.md)
FAULTS_SCALE ?= ci

test-faults: setup ## 3-broker fault suite on a private cluster: kills, SIGSTOP, rebalance (~8 min)
	JIANDU_FAULTS_SCALE=$(FAULTS_SCALE) $(BIN)/pytest -q -s -m faults tests/faults

# `make demo DEMO_RATE=50 DEMO_DURATION=60 DEMO_SEED=7 DEMO_SHARE=0.3`; unset: JIANDU_DEMO_* or defaults.
DEMO_ENV = $(if $(DEMO_RATE),JIANDU_DEMO_RATE=$(DEMO_RATE)) \
           $(if $(DEMO_DURATION),JIANDU_DEMO_DURATION=$(DEMO_DURATION)) \
           $(if $(DEMO_SEED),JIANDU_DEMO_SEED=$(DEMO_SEED)) \
           $(if $(DEMO_SHARE),JIANDU_DEMO_DEVIATING_SHARE=$(DEMO_SHARE))

demo: setup prometheus ## Kafka, the 3 services, Prometheus; simulate a day, show alerts live, summarize metrics
	$(DEMO_ENV) $(BIN)/python -m jiandu_cli.demo

prometheus: ## Install Debian's prometheus if missing (as root with apt-get; otherwise say how)
	@command -v prometheus >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's prometheus package for the demo's metrics"; \
	    apt-get update -qq && apt-get install -y -qq prometheus >/dev/null; \
	  else \
	    echo "prometheus is not installed: 'sudo apt-get install prometheus' gives the demo its summary"; \
	  fi; }

bench: setup ## Measure ingest against kafka-python's own producer benchmark; writes docs/benchmarks.md
	$(BIN)/python -m jiandu_cli.bench

# `make soak SOAK_RATE=20 SOAK_DURATION=600 SOAK_SAMPLE_EVERY=5 SOAK_OUT=.jiandu/soak`
SOAK_RATE ?= 20
SOAK_DURATION ?= 600
SOAK_SAMPLE_EVERY ?= 5
SOAK_OUT ?= .jiandu/soak

soak: setup ## Whole pipeline at a fixed rate (10 min); RSS, lag, delivery latency: table, CSV, PNG
	$(JIANDU) soak --rate $(SOAK_RATE) --duration $(SOAK_DURATION) \
	  --sample-every $(SOAK_SAMPLE_EVERY) --out $(SOAK_OUT)

down: setup ## Stop what `make demo` (services, Prometheus) / `make kafka-up` started, and only that
	$(JIANDU) down

clean: ## Remove the venv and local runtime state (not the Kafka download cache)
	rm -rf $(VENV) .jiandu .pytest_cache .mypy_cache .ruff_cache
