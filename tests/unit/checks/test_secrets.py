"""harness/checks/secrets.py: SEC-01 (secrets in any frame) and SEC-02 (internals in errors)."""

from __future__ import annotations

import pytest

from harness.checks import secrets
from tests.unit.builders import notification, rpc_error, rpc_result, verdict

PASSWORD = "s3cr3t-Pa55word"


def test_secrets_from_env() -> None:
    env = {
        "API_TOKEN": "tok_0123456789",
        "SHORT_SECRET": "abc",
        "DATABASE_URL": f"postgresql://app:{PASSWORD}@db:5432/app",
        "HOME": "/root",
    }
    found = secrets.secrets_from_env(env)
    assert set(found) == {"tok_0123456789", PASSWORD, env["DATABASE_URL"]}
    assert found[0] == env["DATABASE_URL"]  # longest first


def test_leaks() -> None:
    assert secrets.leaks([rpc_result({"content": []})], [PASSWORD]) == []
    assert secrets.leaks([rpc_result({"text": PASSWORD})], []) == []
    [finding] = secrets.leaks([notification("notifications/message", {"data": f"pw={PASSWORD}"})], [PASSWORD])
    assert (finding.rule, finding.severity) == ("SEC-01", "fail")
    assert PASSWORD not in str(finding.evidence) and "[REDACTED SECRET]" in str(finding.evidence)


@pytest.mark.parametrize("secret", ['pa"ss\\word-123', "C:\\keys\\prod.key", "tab\there-and-more"])
def test_leaks_finds_secrets_that_json_escapes(secret: str) -> None:
    """A secret with a quote, backslash or control character is escaped in a frame's JSON text."""
    [finding] = secrets.leaks([rpc_result({"text": f"the key is {secret}"})], [secret])
    assert finding.rule == "SEC-01"
    assert secret not in str(finding.evidence) and "[REDACTED SECRET]" in str(finding.evidence)


@pytest.mark.parametrize(
    "text",
    [
        'Traceback (most recent call last):\n  File "/app/server.py", line 3, in <module>',
        "could not connect to postgresql://app:pw@db:5432/app",
        "cannot open /home/app/data/issues.db",
    ],
)
def test_error_hygiene_flags_internals(text: str) -> None:
    assert verdict(secrets.error_hygiene([rpc_error(-32603, message=text)])) == [("SEC-02", "warn")]


def test_error_hygiene_reads_tool_errors_and_leaves_results_alone() -> None:
    tool_error = rpc_result({"isError": True, "content": [{"type": "text", "text": "see /var/log/app.log"}]})
    assert verdict(secrets.error_hygiene([tool_error])) == [("SEC-02", "warn")]
    success = rpc_result({"content": [{"type": "text", "text": "see /var/log/app.log"}]})
    assert secrets.error_hygiene([success, rpc_error(-32602, message="unknown tool 'x'")]) == []
