"""The composed Sandbox: every backend up, the whole contract in env(), nothing left after stop."""

from __future__ import annotations

import psutil
import pytest

from sandbox.sandbox import Sandbox

pytestmark = pytest.mark.sandbox

CONTRACT = {
    "DATABASE_URL",
    "DATABASE_URL_READONLY",
    "VECTOR_BACKEND",
    "VECTOR_URL",
    "EMBEDDING_MODEL",
    "SANDBOX_SEED",
    "JIRA_URL",
    "JIRA_EMAIL",
    "JIRA_API_TOKEN",
    "JIRA_PROJECT",
}


def test_full_sandbox_contract_and_cleanup() -> None:
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with Sandbox(seed=42, provider="local") as sb:
        assert {b.name for b in sb.backends} == {"postgres", "jira", "idp"}
        env = sb.env()
        assert env.keys() >= CONTRACT
        assert env["SANDBOX_SEED"] == "42"
        for key in ("DATABASE_URL", "VECTOR_URL", "JIRA_URL", "OAUTH_ISSUER"):
            assert "127.0.0.1" in env[key]
        fps = sb.fingerprint()
        assert set(fps) == {"postgres", "jira", "idp"}
        assert sb.changes_since(fps) == []
        canaries = sb.canaries()
        assert any(c.startswith("CANARY-JIRA-") for c in canaries)
        assert env["JIRA_API_TOKEN"] in canaries
        sb.reset()
        assert sb.fingerprint() == fps
    assert {p.pid for p in psutil.Process().children(recursive=True)} - before == set()


def test_services_die_with_a_killed_owner() -> None:
    """SIGKILL the process that owns a sandbox: the Jira and identity-provider services see
    their owner pipe close and stop themselves (sandbox/owner.py) instead of serving forever."""
    import contextlib
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import time; from sandbox.sandbox import Sandbox\n"
        "sb = Sandbox(seed=42, provider='local', backends=['jira', 'idp']).start()\n"
        "print(sb.backend('jira').pid, sb.backend('idp').pid, flush=True); time.sleep(120)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)}, start_new_session=True,
    )  # fmt: skip
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert len(pids) == 2
    services = [psutil.Process(pid) for pid in pids if psutil.pid_exists(pid)]
    try:
        _, alive = psutil.wait_procs(services, timeout=10)
        assert not alive, f"services outlived their killed owner: {[p.cmdline()[:4] for p in alive]}"
    finally:
        for leftover in services:
            with contextlib.suppress(psutil.Error):
                leftover.kill()
