"""The enterprise oracles of issue 16 (CONC, SURF, TENANT, SLO) against the reference server and its liar.

Two kinds of run, each a real `pytest suites/...` subprocess on a real sandbox:

* the reference server (examples/enterprise_server.py) through every new suite
  once: every rule of the new families passes;
* the liar (tests/servers/enterprise_liar.py: the reference server with every
  lie switched on, each in a different request): the failing
  rules are exactly the lies' rules, and each rule's finding names the request
  its lie sits in (and no other lie's), so no lie is reported under another rule.

One liar run with every lie instead of one per lie keeps the CI budget (each
run costs a sandbox, a pytest process and the server processes); the lies sit in
different requests, and each finding must name its own.
"""

from __future__ import annotations

import sys

import pytest

from harness.rules import get
from tests.suite_runner import REPO, SuiteRun, run_suites

pytestmark = pytest.mark.sandbox

REFERENCE = f"{sys.executable} {REPO / 'examples' / 'enterprise_server.py'}"
LIAR = f"{sys.executable} {REPO / 'tests' / 'servers' / 'enterprise_liar.py'}"
HTTP = " --http --port {port}"
URL = "http://127.0.0.1:{port}/mcp"
SUITES = {
    "CONC": "suites/test_concurrency.py",
    "SURF": "suites/test_surface.py",
    "TENANT": "suites/test_tenants.py",
    "SLO": "suites/test_soak.py",  # last: its chaos must come after the other families' calls
}
# Which families each transport proves: stdio for the lies that live in the stdio stream
# (id-swap) and in fresh processes (per-process-tools); HTTP for tenants (told apart by tokens)
# and for CONC across Mcp-Session-Ids on the reference server.
REFERENCE_RUNS = {"stdio": ("CONC", "SURF", "SLO"), "http": ("CONC", "SURF", "TENANT")}
LIAR_RUNS = {"stdio": ("CONC", "SURF", "SLO"), "http": ("TENANT",)}
# Lies proven again over HTTP, on top of the families there: one process serves every
# Mcp-Session-Id, so the shared state crosses replies between sessions too (CONC-01); and a
# list change is announced on the standalone GET stream there, which the harness opens (SURF-03).
# (The other SURF lies live per process: over HTTP they would show in each other's rule.)
HTTP_EXTRA_LIES = {"CONC": ("shared-state",), "SURF": ("silent-list-change",)}
# family -> lie -> (the rule it must fail, a word its finding must name: where the lie sits)
FAMILY_LIES = {
    "CONC": {
        "shared-state": ("CONC-01", "(id -> article) asked for article"),
        "drop-under-load": ("CONC-02", "prompt 'triage_ticket'"),
        "id-swap": ("CONC-03", "tool 'get_customer'"),
    },
    "SURF": {
        "per-process-tools": ("SURF-01", "tools/list"),
        "drifting-prompts": ("SURF-02", "prompts/list"),
        "silent-list-change": ("SURF-03", "resources/list"),
    },
    "TENANT": {
        "open-prompts": ("TENANT-01", "prompt 'triage_ticket'"),
        "open-tickets": ("TENANT-02", "tool 'create_support_ticket'"),
        "trust-argument": ("TENANT-03", "tool 'get_customer'"),
    },
    "SLO": {
        "leak": ("SLO-01", "kept growing"),
        "stuck-kb-breaker": ("SLO-02", "never succeeded again"),
        "ack-lost-writes": ("SLO-03", "acknowledged"),
    },
}
FLAGS = ["--sandbox", "local"]
# --mcp-timeout of these runs: the suites open fresh stdio servers three at a time, and on a busy
# 2-core CI box the SDK's start-up alone has taken more than 5 s (the first request then waits).
STARTUP_TOLERANT = 10


def _findings(run: SuiteRun, rule: str) -> list[str]:
    entry = next((r for r in run.report.get("rules", []) if r["id"] == rule), {})
    return [f["message"] for f in entry.get("findings", []) if f["severity"] in ("fail", "warn")]


def _run(tmp_path, server: str, transport: str, families: tuple[str, ...], extra: list[str]) -> SuiteRun:
    paths = [str(REPO / SUITES[family]) for family in families]
    if transport == "http":
        return run_suites(
            tmp_path,
            server_cmd=server + HTTP,
            server_url=URL,
            extra=extra,
            paths=paths,
            timeout=STARTUP_TOLERANT,
        )
    return run_suites(tmp_path, server_cmd=server, extra=extra, paths=paths, timeout=STARTUP_TOLERANT)


@pytest.mark.parametrize("transport", sorted(REFERENCE_RUNS))
def test_reference_server_passes_every_enterprise_oracle(tmp_path, transport: str) -> None:
    families = REFERENCE_RUNS[transport]
    reference = _run(tmp_path, REFERENCE, transport, families, FLAGS)
    assert reference.report, reference.output
    verdicts = reference.verdicts()
    for family in families:
        for rule, _where in FAMILY_LIES[family].values():
            assert verdicts.get(rule) == "pass", f"{family} {rule}: {verdicts.get(rule)}\n{reference.output}"
    assert reference.failing() == set(), reference.output
    assert reference.warning() == set(), reference.output


@pytest.mark.parametrize("transport", sorted(LIAR_RUNS))
def test_each_lie_is_reported_as_exactly_its_rule(tmp_path, transport: str) -> None:
    """Every lie of the families at once (each sits in its own request): one run, one sandbox."""
    every = {lie: target for family in LIAR_RUNS[transport] for lie, target in FAMILY_LIES[family].items()}
    families = LIAR_RUNS[transport]
    if transport == "http":
        for family, lies in HTTP_EXTRA_LIES.items():
            every.update({lie: FAMILY_LIES[family][lie] for lie in lies})
            families = (family, *families)
    extra = [*FLAGS, "--server-env", f"ENTERPRISE_LIE={','.join(every)}"]
    run = _run(tmp_path, LIAR, transport, families, extra)
    rules = {rule for rule, _ in every.values()}
    must = {rule for rule in rules if get(rule).level == "MUST"}  # SHOULD-level rules warn
    assert run.failing() == must, run.output
    assert run.warning() == rules - must, run.output
    for lie, (rule, where) in every.items():
        messages = _findings(run, rule)
        assert messages and all(where in m for m in messages), f"{lie} -> {rule}: {messages}"
        others = [w for r, w in every.values() if r != rule]
        assert not any(w in m for m in messages for w in others), f"{rule} blames another lie: {messages}"


def test_every_lie_is_proven_by_a_run() -> None:
    """No family's lies are left out of the liar runs (each run proves only the families it names)."""
    proven = {family for families in LIAR_RUNS.values() for family in families}
    assert proven == set(FAMILY_LIES) == set(SUITES)
