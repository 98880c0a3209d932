"""Proof that every DIALECT check can fire: each DIALECT fault of the spec server shows as exactly its rule.

Only the dialect suite runs (it sends nothing but tools/list), so one fault
costs one short pytest process, not a whole suite run. "Exactly" is stricter
than in tests/test_faults.py: no other rule may carry even an INFO finding,
because most DIALECT rules are INFO and leave the verdict "pass".
"""

from __future__ import annotations

import pytest

from harness.protocol.versions import V4
from tests.suite_runner import REPO, list_faults, run_suites, spec_server_cmd

DIALECT_FAULTS = [f for f in list_faults() if f["rule"].startswith("DIALECT-")]
SUITE = [str(REPO / "suites" / "test_dialects.py")]


def noticed(report: dict) -> dict[str, set[str]]:
    """Rule id -> the severities of its findings, for every rule that has any."""
    found: dict[str, set[str]] = {}
    for rule in report.get("rules", []):
        severities = {f["severity"] for f in rule["findings"]}
        if severities:
            found[rule["id"]] = severities
    return found


def test_the_correct_spec_server_is_accepted_by_every_client(tmp_path):
    run = run_suites(tmp_path, server_cmd=spec_server_cmd(), version=V4, paths=SUITE, call_tools=False)
    assert run.returncode == 0, run.output
    assert noticed(run.report) == {}, run.output
    assert {r: v for r, v in run.verdicts().items() if r.startswith("DIALECT-")} == {
        f"DIALECT-0{n}": "pass" for n in range(1, 9)
    }


@pytest.mark.parametrize("fault", DIALECT_FAULTS, ids=[f["name"] for f in DIALECT_FAULTS])
def test_dialect_fault_is_reported_as_exactly_its_rule(tmp_path, fault):
    run = run_suites(
        tmp_path, server_cmd=spec_server_cmd(fault["name"]), version=V4, paths=SUITE, call_tools=False
    )
    rule = fault["rule"]
    assert run.returncode == 0 and run.failing() == set(), run.output  # a dialect is never a FAIL
    assert noticed(run.report) == {rule: {fault["verdict"]}}, run.output
    assert run.warning() == ({rule} if fault["verdict"] == "warn" else set()), run.output


def test_every_dialect_rule_has_a_fault():
    assert sorted(f["rule"] for f in DIALECT_FAULTS) == [f"DIALECT-0{n}" for n in range(1, 9)]
