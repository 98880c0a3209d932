"""Proof that the AUTH checks can fail: each lie of the protected test server is
reported as exactly its rule, the honest server passes the AUTH rules clean,
and the reference enterprise server passes them as a resource server.

Each run is the AUTH suite in a real pytest subprocess with `--sandbox local`
(the identity provider and the recording Jira service are needed).
"""

from __future__ import annotations

import sys

import pytest

from tests.servers.protected.server import LIES
from tests.suite_runner import REPO, run_suites

PROTECTED = REPO / "tests" / "servers" / "protected" / "server.py"
AUTH_SUITE = [str(REPO / "suites" / "test_auth.py")]
URL = "http://127.0.0.1:{port}/mcp"
# A token that is never checked breaks the audience rule too.
ALSO_BROKEN = {"accept-any-token": {"AUTH-06"}}


def auth_run(tmp_path, server_cmd: str, version: str = "latest"):
    return run_suites(
        tmp_path,
        server_cmd=server_cmd,
        server_url=URL,
        version=version,
        extra=["--sandbox", "local"],
        paths=AUTH_SUITE,
        call_tools=False,  # the sandbox allows the calls AUTH-07/10 need
        timeout=10.0,
    )


def auth_verdicts(run) -> dict[str, str]:
    return {rule: verdict for rule, verdict in run.verdicts().items() if rule.startswith("AUTH-")}


@pytest.mark.parametrize("version", ["latest", "2025-11-25"])
def test_honest_protected_server_passes_auth_clean(tmp_path, version):
    run = auth_run(tmp_path, f"{sys.executable} {PROTECTED} --port {{port}}", version)
    verdicts = auth_verdicts(run)
    assert run.returncode == 0, run.output
    assert set(verdicts.values()) <= {"pass", "skip"}, verdicts
    expected_pass = {"AUTH-01", "AUTH-02", "AUTH-03", "AUTH-05", "AUTH-06", "AUTH-07", "AUTH-08", "AUTH-10"}
    if version == "2025-11-25":
        expected_pass.add("AUTH-09")
    assert {r for r, v in verdicts.items() if v == "pass"} == expected_pass, verdicts


@pytest.mark.parametrize("lie", sorted(LIES))
def test_lie_is_reported_as_exactly_its_rule(tmp_path, lie):
    run = auth_run(tmp_path, f"{sys.executable} {PROTECTED} --port {{port}} --lie {lie}")
    assert run.failing() == {LIES[lie]} | ALSO_BROKEN.get(lie, set()), run.output
    assert run.returncode == 1, run.output


def test_reference_server_passes_auth_clean(tmp_path):
    server = f"{sys.executable} {REPO / 'examples' / 'enterprise_server.py'} --http --port {{port}}"
    run = auth_run(tmp_path, server)
    verdicts = auth_verdicts(run)
    assert run.returncode == 0, run.output
    assert set(verdicts.values()) <= {"pass", "skip"}, verdicts
    assert verdicts["AUTH-10"] == "pass" and verdicts["AUTH-07"] == "pass", verdicts
