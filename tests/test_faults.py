"""Proof that every check can fail: each fault of the spec server breaks one
rule, and the suites must report exactly that rule, at the fault's version.

The same server without faults must pass clean at every version it speaks.
"""

from __future__ import annotations

import pytest

from harness.protocol.versions import ALL_VERSIONS, V4
from harness.rules.coverage import suite_rules
from tests.suite_runner import list_faults, run_suites, spec_server_cmd

FAULTS = list_faults()
CLAIMED = suite_rules()
# Hostile faults (floods, 100,000-level nesting, fork-and-exit, ...) are proven with
# expectations of their own in tests/test_hostile.py; client-dialect faults (DIALECT-*,
# mostly INFO, which a whole-suite verdict cannot show) in tests/test_faults_dialects.py.
STDIO_FAULTS = [
    f
    for f in FAULTS
    if f["rule"] in CLAIMED
    and "stdio" in f["transports"]
    and not f.get("hostile")
    and not f["rule"].startswith("DIALECT-")
]


# Faults that cannot show at 2025-11-25 although they apply there: answering the
# newest version instead of the requested one is invisible when the newest is asked for.
PROVE_AT = {"LIFE-02-ignore-requested-version": "2025-06-18"}


def fault_version(fault: dict) -> str:
    """The version a fault is proven at: 2025-11-25 when it applies there, else its newest."""
    versions = fault["versions"]
    return PROVE_AT.get(fault["name"]) or (V4 if V4 in versions else versions[-1])


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_correct_spec_server_passes_clean(tmp_path, version):
    run = run_suites(tmp_path, server_cmd=spec_server_cmd(), version=version)
    assert run.failing() == set(), run.output
    assert run.warning() == set(), run.output
    assert run.returncode == 0, run.output
    assert run.report["summary"]["pass"] > 10


# A secret-looking variable in every fault run's server environment, so SEC-01-leak-secret has
# something to leak whatever the environment CI happens to have (the harness guards the values
# of secret-looking variables it hands the server).
SERVER_SECRET = ["--server-env", "SPEC_SERVER_API_TOKEN=sk-test-7c1d44e09b5f2a68"]


# A hang fault's first hang costs two timeouts (the slow cap: the server still answers
# pings); what else a short timeout could trip on a loaded box is LIVE-01, its own rule.
HANG_TIMEOUT = 3.0


@pytest.mark.parametrize("fault", STDIO_FAULTS, ids=[f["name"] for f in STDIO_FAULTS])
def test_fault_is_reported_as_exactly_its_rule(tmp_path, fault):
    run = run_suites(
        tmp_path,
        server_cmd=spec_server_cmd(fault["name"]),
        version=fault_version(fault),
        extra=SERVER_SECRET,
        timeout=HANG_TIMEOUT if fault["rule"] == "LIVE-01" else 8.0,
    )
    rule = fault["rule"]
    if rule == "HARN-03":
        assert run.returncode == 2, run.output
        assert set(run.verdicts().values()) <= {"not_verified"}, run.output
    elif fault["verdict"] == "fail":
        assert run.failing() == {rule, *fault["also"]}, run.output
        assert run.returncode == 1, run.output
    else:
        assert run.failing() == set(), run.output
        assert rule in run.warning(), run.output
        assert run.returncode == 0, run.output


# Claimed rules whose fault fixture is still missing, each with the reason. The
# test below fails when a new claim arrives without a fault, and when a listed
# gap gets its fault (so this list can only shrink).
KNOWN_GAPS = {
    "AUTH-01": "no lying protected server serves a later request without a token yet",
    "AUTH-04": "2025-03-26-only metadata discovery: no lying protected server for that version yet",
    "AUTH-09": "no lying protected server treats its session id as a credential yet",
}


def test_every_claimed_rule_has_a_fault_fixture():
    from harness import rules
    from harness.rules.coverage import fault_fixtures

    proven = {f["rule"] for f in fault_fixtures()}
    can_fail = {r for r in CLAIMED if rules.get(r).level in ("MUST", "SHOULD")}  # INFO/MAY never fail
    unproven = {rule for rule in can_fail if rule not in proven}
    assert unproven == set(KNOWN_GAPS), f"claimed rules without a fault that breaks them: {unproven}"
