"""Replay, end to end: a property failure found by `pytest suites/` is saved as a
shrunk transcript, and `mcp-harness replay FILE --server-cmd ...` re-sends its
frames and shows the same rule id failing again (and passing on a fixed server).
A fixed-suite failure file still replays by re-running its test node.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.suite_runner import REPO, run_suites, spec_server_cmd

PROPERTIES = str(REPO / "suites" / "test_properties.py")


def _replay(path, server_cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "replay",
            str(path),
            "--server-cmd",
            server_cmd,
            "--timeout",
            "5",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("fault", "rule"),
    [("RPC-05-answer-notifications", "RPC-05"), ("LIVE-02-exit-on-unknown-method", "LIVE-02")],
)
def test_property_failure_replays_with_the_same_rule(tmp_path, fault, rule):
    run = run_suites(
        tmp_path,
        server_cmd=spec_server_cmd(fault),
        version="2025-11-25",
        paths=[PROPERTIES],
        extra=["--hypothesis-profile", "ci"],
    )
    assert run.failing() == {rule}, run.output
    failure = tmp_path / "failures" / f"{rule}-1.jsonl"
    lines = [json.loads(line) for line in failure.read_text().splitlines()]
    header, frames = lines[0]["header"], lines[1:]
    assert header["rule"] == rule and "test_properties.py" in header["test"]
    sent = [f for f in frames if f["dir"] == "send"]
    assert 1 <= len(sent) <= 3, frames  # shrunk

    again = _replay(failure, spec_server_cmd(fault))
    assert again.returncode == 1, again.stdout + again.stderr
    assert f"STILL FAILS: {rule}" in again.stdout

    fixed = _replay(failure, spec_server_cmd())
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert f"no longer fails: {rule}" in fixed.stdout


def test_fixed_suite_failure_still_replays_its_node(tmp_path):
    suite = str(REPO / "suites" / "test_jsonrpc.py")
    run = run_suites(
        tmp_path,
        server_cmd=spec_server_cmd("RPC-10-unknown-method-result"),
        version="2025-11-25",
        paths=[suite],
    )
    assert "RPC-10" in run.failing(), run.output
    failure = tmp_path / "failures" / "RPC-10-1.jsonl"
    again = _replay(failure, spec_server_cmd("RPC-10-unknown-method-result"))
    assert again.returncode == 1 and "STILL FAILS: RPC-10" in again.stdout, again.stdout + again.stderr
