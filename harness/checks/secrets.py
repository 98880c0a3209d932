"""SEC-01/02: secrets and internals must not leak through what the server says.

SEC-01 (fail): a canary planted in the sandbox, a per-run password, or the value
of a secret-looking variable from the server's environment appears in any
frame the server sent (results, errors, notifications).
SEC-02 (warn): an error carries a stack trace, a connection string or an
absolute path of the server's host.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

from harness.checks.registry import check
from harness.findings import Finding, fail, warn

SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)", re.I)
DSN_NAME = re.compile(r"(DATABASE_URL|_DSN$|_URL$)", re.I)
MIN_SECRET_LENGTH = 8
TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|\n\s+File \"[^\"]+\", line \d+|\bat [\w.$]+\([\w.]+:\d+\)"
)
DSN = re.compile(r"\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp)://[^\s\"']+", re.I)
ABSOLUTE_PATH = re.compile(r"(?<![\w/.:])/(?:home|root|usr|opt|srv|var|etc|tmp|app|work)/[\w./-]+")


def secrets_from_env(env: Mapping[str, str]) -> list[str]:
    """Values worth guarding: secret-looking variables and passwords inside DSNs."""
    found: list[str] = []
    for name, value in env.items():
        if not value:
            continue
        if SECRET_NAME.search(name) and len(value) >= MIN_SECRET_LENGTH:
            found.append(value)
        if DSN_NAME.search(name) and "://" in value:
            parsed = urlparse(value)
            if parsed.password and len(parsed.password) >= MIN_SECRET_LENGTH:
                found.append(parsed.password)
                found.append(value)
    return sorted(set(found), key=len, reverse=True)


@check("SEC-01")
def leaks(messages: Iterable[Any], secrets: list[str]) -> list[Finding]:
    """SEC-01: no secret value appears anywhere in a server frame."""
    if not secrets:
        return []
    findings: list[Finding] = []
    # Searched as it appears in a frame's JSON text: a quote, backslash or control
    # character in a secret is escaped there, and the raw value would never match.
    needles = [(secret, json.dumps(secret, ensure_ascii=False)[1:-1]) for secret in secrets]
    for message in messages:
        text = json.dumps(message, ensure_ascii=False)
        for secret, needle in needles:
            if needle in text:
                where = _where(message)
                findings.append(
                    fail("SEC-01", f"{where} contains a secret ({_mask(secret)})", _redact(message, needle))
                )
                break
    return findings


@check("SEC-02")
def error_hygiene(messages: Iterable[Any]) -> list[Finding]:
    """SEC-02: error texts carry no stack trace, connection string or host path."""
    findings: list[Finding] = []
    for message in messages:
        for text in _error_texts(message):
            for pattern, what in (
                (TRACEBACK, "a stack trace"),
                (DSN, "a connection string"),
                (ABSOLUTE_PATH, "an absolute path of the server's host"),
            ):
                match = pattern.search(text)
                if match:
                    findings.append(warn("SEC-02", f"error message contains {what}: {match.group(0)[:80]!r}"))
                    break
    return findings[:10]


def _error_texts(message: Any) -> list[str]:
    if not isinstance(message, dict):
        return []
    error = message.get("error")
    if isinstance(error, dict):
        return [str(error.get("message", "")), json.dumps(error.get("data"), ensure_ascii=False)]
    result = message.get("result")
    if isinstance(result, dict) and result.get("isError") is True:
        return [
            str(block.get("text", "")) for block in result.get("content") or [] if isinstance(block, dict)
        ]
    return []


def _where(message: Any) -> str:
    if isinstance(message, dict):
        if "error" in message:
            return "an error response"
        if "method" in message:
            return f"a {message['method']} message"
        return "a result"
    return "a frame"


def _mask(secret: str) -> str:
    return secret[:3] + "…" + f"({len(secret)} chars)"


def _redact(message: Any, needle: str) -> dict[str, Any]:
    """`message` with the secret's JSON-escaped form (`needle`) replaced."""
    return json.loads(json.dumps(message, ensure_ascii=False).replace(needle, "[REDACTED SECRET]"))
