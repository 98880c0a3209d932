"""Logging checks (LOG-*): pure functions over setLevel exchanges and log notifications."""

from __future__ import annotations

from typing import Any

from harness.checks.jsonrpc import expect_error
from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.exchange import Exchange

LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")


def log_messages(frames: list[Any]) -> list[dict[str, Any]]:
    """The notifications/message frames among `frames` (session.received items or dicts)."""
    out = []
    for frame in frames:
        message = getattr(frame, "message", frame)
        if (
            isinstance(message, dict)
            and message.get("method") == "notifications/message"
            and "id" not in message
        ):
            out.append(message)
    return out


@check("LOG-01")
def set_level_ok(exchange: Exchange, level: str) -> list[Finding]:
    """LOG-01: logging/setLevel with a valid level returns an (empty) result."""
    if not exchange.ok:
        error = exchange.error or {}
        return [
            fail(
                "LOG-01",
                f"logging/setLevel {level!r} failed ({error.get('code')}: {error.get('message')}) "
                "although logging is declared",
                exchange.response,
            )
        ]
    extra = sorted(k for k in exchange.result if k != "_meta") if isinstance(exchange.result, dict) else []
    if extra:
        return [
            warn(
                "LOG-01",
                f"logging/setLevel result is not empty: it has {', '.join(extra)}",
                exchange.response,
            )
        ]
    return []


@check("LOG-01")
def bogus_level(exchange: Exchange, level: str) -> list[Finding]:
    """LOG-01 (SHOULD): an unknown level gets -32602; a success or another code is WARN."""
    return expect_error("LOG-01", exchange, -32602, f"logging/setLevel {level!r}", no_error_severity="warn")


@check("LOG-01")
def below_level(messages: list[dict[str, Any]], level: str) -> list[Finding]:
    """LOG-01 (lower-case "should"): after setLevel, no messages below that level (WARN).

    Messages with a level that is not a syslog name are LOG-02's, not judged here.
    """
    floor = LEVELS.index(level)
    findings = []
    for message in messages:
        got = (message.get("params") or {}).get("level")
        if got in LEVELS and LEVELS.index(got) < floor:
            findings.append(
                warn("LOG-01", f"a {got!r} log message arrived after logging/setLevel {level!r}", message)
            )
    return findings[:5]


@check("LOG-02")
def message_shape(messages: list[dict[str, Any]]) -> list[Finding]:
    """LOG-02: notifications/message params carry `level` (one of the 8 syslog
    names), `data` (any JSON), and an optional string `logger`."""
    findings = []
    for message in messages:
        params = message.get("params")
        if not isinstance(params, dict):
            findings.append(fail("LOG-02", "notifications/message has no params object", message))
            continue
        if params.get("level") not in LEVELS:
            findings.append(
                fail(
                    "LOG-02", f"log level {params.get('level')!r} is not one of {', '.join(LEVELS)}", message
                )
            )
        if "data" not in params:
            findings.append(fail("LOG-02", "notifications/message has no data", message))
        if "logger" in params and not isinstance(params["logger"], str):
            findings.append(fail("LOG-02", f"logger {params['logger']!r} is not a string", message))
    return findings[:5]


@check("LOG-03")
def unrequested(messages: list[dict[str, Any]], methods: list[str]) -> list[Finding]:
    """LOG-03 (2026-07-28, MUST NOT): no notifications/message for requests whose
    `_meta` carries no io.modelcontextprotocol/logLevel."""
    if not messages:
        return []
    sent = ", ".join(sorted(set(methods)))
    return [
        fail(
            "LOG-03",
            f"notifications/message ({(m.get('params') or {}).get('level')!r}) arrived although no "
            f"request asked for logs ({sent} were sent without logLevel)",
            m,
        )
        for m in messages[:3]
    ]


@check("LOG-03")
def bogus_meta_level(exchange: Exchange, method: str) -> list[Finding]:
    """LOG-03 (SHOULD): an unrecognised `_meta` logLevel gets -32602 (else WARN)."""
    return expect_error(
        "LOG-03", exchange, -32602, f"{method} with logLevel 'bogus'", no_error_severity="warn"
    )


@check("LOG-02")
def messages_observed(messages: list[Any]) -> list[Finding]:
    """LOG-02 (INFO): no log message came at level debug during reads, so the
    message shape was not observed; recorded so a pass is not read as checked."""
    if messages:
        return []
    return [info("LOG-02", "no log messages were sent at level debug during reads")]
