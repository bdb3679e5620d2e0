# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step they call.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test e2e demo infra db token venv clean-venv supergraph bench proof reference

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

# The reference composer and gateway (npm, pinned by the lockfile): the differential suite and `make supergraph`.
REFERENCE := services/gateway/federation/apollo
$(REFERENCE)/node_modules/.package-lock.json: $(REFERENCE)/package-lock.json
	cd $(REFERENCE) && npm ci --no-audit --no-fund --loglevel=error

reference: $(REFERENCE)/node_modules/.package-lock.json

infra:
	@bash deploy/local/ensure-infra.sh

db: venv infra
	$(PY) -m services.common.data.db bootstrap
	@# Each service's own RabbitMQ user (needs rabbitmqctl on this machine, as the local broker's admin).
	$(PY) -m services.common.events.broker_users ensure

# DEMO=0 make run skips the demo district; DEMO_SCALE=0.1 loads a tenth of its service records.
run: db
	$(PY) -m services.devrun

test: venv infra reference
	$(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)
	$(PY) -m proof

# Proof under load, faults and bad input: the full version, ending with one table of figures.
# `make test` runs its short version (above). Rows also land in proof/.results/results-<namespace>.jsonl.
proof: venv infra
	$(PY) -m proof --full

# The end-to-end run with the source's full figures (slow: ~13,000 service records through the gateway).
e2e: venv infra
	$(PY) -m pytest -q -s -m slow tests/test_e2e_run.py $(PYTEST_ARGS)

# Load the demo district into a running platform (`make run` does this itself unless DEMO=0).
GATEWAY ?= http://127.0.0.1:4000
demo: venv
	$(PY) -m services.demo.load --gateway $(GATEWAY)

# make token DISTRICT=230102 ROLE=bureau_admin
DISTRICT ?= 230102
ROLE ?= bureau_admin
token: venv
	@$(VENV)/bin/civic token --district $(DISTRICT) --role $(ROLE)

clean-venv:
	rm -rf $(VENV)

# The platform's supergraph, composed by @apollo/composition from the three subgraph schemas (checked in; a test compares).
supergraph: venv reference
	$(PY) -m services.gateway.federation --sources services.gateway.policy.subgraphs:sources --out deploy/supergraph.graphql

# Gateway benchmark (not part of the tests): ours vs @apollo/gateway vs the subgraph directly; needs node + npm.
# make bench BENCH_ARGS=--quick   |   make bench BENCH_ARGS="--out bench/RESULTS.md"
bench: db
	$(PY) -m bench.run $(BENCH_ARGS)
