"""The side-effect oracle catches lying servers (SIDE-*, SEC-*, backend faults).

The lying server (tests/servers/lying_server.py, on the official SDK and the
sandbox) keeps its promises unless told to lie; each lie must add exactly its
rule to what the honest server gets (the SDK's own deviations stay the same).
"""

from __future__ import annotations

import sys

import pytest

from tests.suite_runner import REPO, run_suites

LYING_SERVER = REPO / "tests" / "servers" / "lying_server.py"
LIES = {
    "readonly-writes": "SIDE-01",
    "sql-startswith": "SIDE-01",
    "read-writes": "SIDE-02",
    "nondestructive-deletes": "SIDE-03",
    "idempotent-lie": "SIDE-04",
    "leaky-error": "SEC-01",
    "stack-trace": "SEC-02",
    "crash-on-jira-500": "LIVE-02",
    "db-retry-forever": "LIVE-01",
}
FLAGS = ["--sandbox", "local"]


# The lies are tool and resource side effects, so the suites that provoke those
# calls are enough to prove them (the whole suites run against the SDK elsewhere).
SUITES = [str(REPO / "suites" / "test_side_effects.py"), str(REPO / "suites" / "test_security.py")]


def _run(tmp_path, fault: str = ""):
    cmd = f"{sys.executable} {LYING_SERVER}"
    extra = [*FLAGS, "--server-env", f"LYING_FAULT={fault}"]
    return run_suites(tmp_path, server_cmd=cmd, extra=extra, timeout=10, paths=SUITES)


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    run = _run(tmp_path_factory.mktemp("honest"))
    assert run.report, run.output
    return run


def test_honest_server_keeps_its_promises(honest):
    side = {r for r in honest.failing() | honest.warning() if r.startswith(("SIDE-", "SEC-"))}
    assert side == set(), honest.output
    verdicts = honest.verdicts()
    assert verdicts.get("SIDE-01") == "pass", honest.output
    assert verdicts.get("SIDE-02") == "pass", honest.output


@pytest.mark.parametrize("fault", sorted(LIES))
def test_lie_is_caught_as_exactly_its_rule(tmp_path, honest, fault):
    rule = LIES[fault]
    run = _run(tmp_path, fault)
    new_failures = run.failing() - honest.failing()
    new_warnings = run.warning() - honest.warning()
    if rule in ("SIDE-04", "SEC-02"):  # SHOULD-level rules warn
        assert new_failures == set(), run.output
        assert new_warnings == {rule}, run.output
    else:
        assert new_failures == {rule}, run.output
