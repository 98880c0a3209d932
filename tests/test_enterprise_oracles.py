"""The enterprise oracles of issue 16 (CONC, SURF, ...) against the reference server and its liar.

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
SUITES = {"CONC": "suites/test_concurrency.py", "SURF": "suites/test_surface.py"}
# family -> lie -> (the rule it must fail, a word its finding must name: where the lie sits)
FAMILY_LIES = {
    "CONC": {
        "shared-state": ("CONC-01", "resource 'kb://articles/{id}'"),
        "drop-under-load": ("CONC-02", "prompt 'triage_ticket'"),
        "id-swap": ("CONC-03", "tool 'get_customer'"),
    },
    "SURF": {
        "per-process-tools": ("SURF-01", "tools/list"),
        "drifting-prompts": ("SURF-02", "prompts/list"),
        "silent-list-change": ("SURF-03", "resources/list"),
    },
}
FLAGS = ["--sandbox", "local"]


def _findings(run: SuiteRun, rule: str) -> list[str]:
    entry = next((r for r in run.report.get("rules", []) if r["id"] == rule), {})
    return [f["message"] for f in entry.get("findings", []) if f["severity"] in ("fail", "warn")]


def test_reference_server_passes_every_enterprise_oracle(tmp_path) -> None:
    paths = [str(REPO / path) for path in SUITES.values()]
    reference = run_suites(tmp_path, server_cmd=REFERENCE, extra=FLAGS, paths=paths)
    assert reference.report, reference.output
    verdicts = reference.verdicts()
    for family, lies in FAMILY_LIES.items():
        for rule, _where in lies.values():
            assert verdicts.get(rule) == "pass", f"{family} {rule}: {verdicts.get(rule)}\n{reference.output}"
    assert reference.failing() == set(), reference.output
    assert reference.warning() == set(), reference.output


def test_each_lie_is_reported_as_exactly_its_rule(tmp_path) -> None:
    """Every lie at once (each sits in its own request), every new suite once: one run, one sandbox."""
    every = {lie: target for lies in FAMILY_LIES.values() for lie, target in lies.items()}
    extra = [*FLAGS, "--server-env", f"ENTERPRISE_LIE={','.join(every)}"]
    paths = [str(REPO / path) for path in SUITES.values()]
    run = run_suites(tmp_path, server_cmd=LIAR, extra=extra, paths=paths, timeout=5)
    rules = {rule for rule, _ in every.values()}
    must = {rule for rule in rules if get(rule).level == "MUST"}  # SHOULD-level rules warn
    assert run.failing() == must, run.output
    assert run.warning() == rules - must, run.output
    for lie, (rule, where) in every.items():
        messages = _findings(run, rule)
        assert messages and all(where in m for m in messages), f"{lie} -> {rule}: {messages}"
        others = [w for r, w in every.values() if r != rule]
        assert not any(w in m for m in messages for w in others), f"{rule} blames another lie: {messages}"
