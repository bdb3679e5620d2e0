# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step they call.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test infra db token venv clean-venv supergraph bench

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

infra:
	@bash deploy/local/ensure-infra.sh

db: venv infra
	$(PY) -m services.common.db bootstrap

run: db
	$(PY) -m services.devrun

test: venv infra
	$(PY) -m pytest -q $(PYTEST_ARGS)

# make token DISTRICT=230102 ROLE=bureau_admin
DISTRICT ?= 230102
ROLE ?= bureau_admin
token: venv
	@$(VENV)/bin/civic token --district $(DISTRICT) --role $(ROLE)

clean-venv:
	rm -rf $(VENV)

# The platform's supergraph, composed from the three subgraph schemas (checked in; a test compares).
supergraph: venv
	$(PY) -m services.gateway.policy.supergraph --out deploy/supergraph.graphql

# Gateway benchmark (not part of the tests): ours vs @apollo/gateway vs the subgraph directly; needs node + npm.
# make bench BENCH_ARGS=--quick   |   make bench BENCH_ARGS="--out bench/RESULTS.md"
bench: db
	$(PY) -m bench.run $(BENCH_ARGS)
