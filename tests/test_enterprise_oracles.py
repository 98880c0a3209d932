"""The enterprise oracles of issue 16 (CONC, ...) against the reference server and its liar.

Two kinds of run, each a real `pytest suites/...` subprocess on a real sandbox:

* the reference server (examples/enterprise_server.py) through every new suite
  once: every rule of the new families passes;
* per family, the liar (tests/servers/enterprise_liar.py: the reference server
  with that family's lies switched on, each in a different request): the failing
  rules are exactly the family's, and each rule's finding names the request its
  lie sits in, so no lie is reported under another rule.

One run per family instead of one per lie keeps the CI budget (each run costs a
sandbox, a pytest process and the server processes: about 9 s).
"""

from __future__ import annotations

import sys

import pytest

from tests.suite_runner import REPO, SuiteRun, run_suites

pytestmark = pytest.mark.sandbox

REFERENCE = f"{sys.executable} {REPO / 'examples' / 'enterprise_server.py'}"
LIAR = f"{sys.executable} {REPO / 'tests' / 'servers' / 'enterprise_liar.py'}"
SUITES = {"CONC": "suites/test_concurrency.py"}
# family -> lie -> (the rule it must fail, a word its finding must name: where the lie sits)
FAMILY_LIES = {
    "CONC": {
        "shared-state": ("CONC-01", "kb://articles/{id}"),
        "drop-under-load": ("CONC-02", "triage_ticket"),
        "id-swap": ("CONC-03", "get_customer"),
    },
}
FLAGS = ["--sandbox", "local"]


def _findings(run: SuiteRun, rule: str) -> list[str]:
    entry = next((r for r in run.report.get("rules", []) if r["id"] == rule), {})
    return [f["message"] for f in entry.get("findings", []) if f["severity"] == "fail"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> SuiteRun:
    paths = [str(REPO / path) for path in SUITES.values()]
    run = run_suites(tmp_path_factory.mktemp("reference"), server_cmd=REFERENCE, extra=FLAGS, paths=paths)
    assert run.report, run.output
    return run


def test_reference_server_passes_every_enterprise_oracle(reference: SuiteRun) -> None:
    verdicts = reference.verdicts()
    for family, lies in FAMILY_LIES.items():
        for rule, _where in lies.values():
            assert verdicts.get(rule) == "pass", (
                f"{family}: {rule} is {verdicts.get(rule)}\n{reference.output}"
            )
    assert reference.failing() == set(), reference.output


@pytest.mark.parametrize("family", sorted(FAMILY_LIES))
def test_each_lie_is_reported_as_exactly_its_rule(tmp_path, family: str) -> None:
    lies = FAMILY_LIES[family]
    extra = [*FLAGS, "--server-env", f"ENTERPRISE_LIE={','.join(lies)}"]
    run = run_suites(tmp_path, server_cmd=LIAR, extra=extra, paths=[str(REPO / SUITES[family])], timeout=5)
    assert run.failing() == {rule for rule, _ in lies.values()}, run.output
    assert run.warning() == set(), run.output
    for lie, (rule, where) in lies.items():
        messages = _findings(run, rule)
        assert messages and all(where in m for m in messages), f"{lie} -> {rule}: {messages}"
        others = [w for r, w in lies.values() if r != rule]
        assert not any(w in m for m in messages for w in others), (
            f"{rule} also blames another lie: {messages}"
        )
