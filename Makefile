# The two commands: `make conformance` (the main job) and `make test` (the project's tests).
# Each creates .venv and installs everything the first time.

PYTHON ?= python3
# Byte-code caching on, whatever the caller's environment says: without it every pytest
# process recompiles the harness, the suites and the assertion-rewritten plugins (~1 s each).
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REPORT ?= out
SERVER_CMD ?= $(abspath $(PY)) examples/enterprise_server.py
BASELINE ?= examples/enterprise_baseline.yaml
HTTP_PORT_CMD ?= $(SERVER_CMD) --http --port {port}
HTTP_URL ?= http://127.0.0.1:{port}/mcp
PROTOCOL ?= all
# pytest-xdist workers of each transport's run (stdio and HTTP run side by side), each worker
# with its own server and sandbox; 0 = serial
WORKERS ?= 2
PYTEST_WORKERS ?= 4  # the proofs mostly wait on servers: four keep two cores busy (11 min 51 s; three: 16 min 51 s)

.PHONY: venv test test-unit test-containers conformance sandbox lint bench bench-official clean report-screenshot

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## the project's own tests (what CI runs): lint, the unit tier (seconds), then the end-to-end proofs
test: $(STAMP)
	@$(MAKE) --no-print-directory lint
	$(PY) -m pytest tests/unit -q -p no:cacheprovider
	$(PY) -m pytest tests -q -n $(PYTEST_WORKERS) -p no:cacheprovider -o timeout=900 --ignore=tests/unit \
		--durations=15

## the fast tier: pure checks, verdicts, reports and the session on an in-memory transport (seconds, no process)
test-unit: $(STAMP)
	$(PY) -m pytest tests/unit -q -p no:cacheprovider

## the container provider against a real engine: Podman from Debian's packages when there is no Docker
## (scripts/podman-setup.sh), the parity tests, then tear-down; skipped with the reason if no engine starts
test-containers: $(STAMP)
	@envf=$$(mktemp); \
	timeout 1500 scripts/podman-setup.sh $$envf || true; \
	[ -s $$envf ] || echo "export MCP_CONTAINERS_SKIP='scripts/podman-setup.sh failed or timed out'" >$$envf; \
	. $$envf; rm -f $$envf; \
	trap 'scripts/podman-teardown.sh' EXIT; \
	$(PY) -m pytest tests/containers -q -rs -p no:cacheprovider -o timeout=900

## the main job: the reference server on the sandbox (local backends), every suite, at every protocol
## version it speaks, over stdio and over Streamable HTTP with its OAuth protection (the sandbox IdP
## mints the tokens: AUTH suite), side by side; one report, a column per transport and version
conformance: $(STAMP)
	$(VENV)/bin/mcp-harness run --server-cmd "$(SERVER_CMD)" \
		--http-cmd "$(HTTP_PORT_CMD)" --http-url "$(HTTP_URL)" --sandbox local --call-tools \
		--protocol-version $(PROTOCOL) --baseline $(BASELINE) --report $(REPORT) -n $(WORKERS)

## a PNG of the HTML report, rendered by headless Chromium (installs Debian's chromium if missing)
report-screenshot:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(PY) -m tests.report_screenshot $(REPORT)/report.html $(REPORT)/report.png

## start the mock enterprise (PostgreSQL + pgvector, Jira-compatible service); Ctrl-C stops it
sandbox: $(STAMP)
	$(VENV)/bin/mcp-sandbox up

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## our harness against the official conformance CLI (@modelcontextprotocol/conformance) on the same servers;
## Node 22, the CLI and server-everything come from npm into .cache/official/ (skipped if npm is missing)
bench-official: $(STAMP)
	$(PY) bench/bench_vs_official.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(REPORT) .pytest_cache .ruff_cache

## the long soak (SLO-*): thousands of mixed calls against the reference server on the sandbox, with
## PostgreSQL cut and a Jira 429 storm in the middle; report in $(REPORT)/soak; figures: bench/bench_soak.py
SOAK_CALLS ?= 5000
SOAK_SECONDS ?= 120
.PHONY: soak
soak: $(STAMP)
	MCP_SOAK_CALLS=$(SOAK_CALLS) MCP_SOAK_SECONDS=$(SOAK_SECONDS) $(PY) -m pytest suites/test_soak.py -q \
		-p no:cacheprovider --server-cmd "$(SERVER_CMD)" --server-env ENTERPRISE_RATE_LIMIT=0 \
		--sandbox local --mcp-report $(REPORT)/soak
	$(PY) bench/bench_soak.py --calls $(SOAK_CALLS) --seconds $(SOAK_SECONDS)
