"""The composed Sandbox: every backend up, the whole contract in env(), nothing left after stop."""

from __future__ import annotations

import psutil
import pytest

from sandbox.sandbox import Sandbox

pytestmark = pytest.mark.sandbox

CONTRACT = {"DATABASE_URL", "DATABASE_URL_READONLY", "VECTOR_BACKEND", "VECTOR_URL", "EMBEDDING_MODEL",
            "SANDBOX_SEED", "JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PROJECT"}


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
