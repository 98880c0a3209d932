"""Logging (LOG-*): logging/setLevel up to 2025-11-25, per-request logLevel from 2026-07-28.

Log messages are provoked with reads only (lists, resources/read, prompts/get),
never tool calls. Level changes go to a fresh connection so that the shared
session keeps the server's default level; at 2026-07-28 the level rides each
request, and the shared session serves.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import logging as checks
from harness.checks.prompts import required_arguments
from harness.protocol.exchange import META_LOG_LEVEL
from harness.protocol.session import Session
from suites._support import harmless_method

SETTLE = 0.3  # seconds to wait for stray log messages after the last response
MESSAGE_WAIT = 1.5  # seconds for the first message to come when one is due
SAMPLE_VALUE = "mcp-harness"


def _activity(session: Session, meta: dict[str, Any] | None = None) -> list[str]:
    """Send a few side-effect-free requests that servers tend to log; returns the methods sent."""
    sent: list[str] = []

    def request(method: str, params: dict[str, Any]) -> Any:
        if meta:
            params = {**params, "_meta": dict(meta)}
        sent.append(method)
        return session.request(method, params)

    caps = session.state.capabilities
    if "resources" in caps:
        listing = request("resources/list", {})
        for item in ((listing.result or {}).get("resources") or [])[:3] if listing.ok else []:
            if isinstance(item, dict) and isinstance(item.get("uri"), str):
                request("resources/read", {"uri": item["uri"]})
    if "prompts" in caps:
        listing = request("prompts/list", {})
        for prompt in ((listing.result or {}).get("prompts") or [])[:3] if listing.ok else []:
            if isinstance(prompt, dict) and isinstance(prompt.get("name"), str):
                arguments = dict.fromkeys(required_arguments(prompt), SAMPLE_VALUE)
                request("prompts/get", {"name": prompt["name"], "arguments": arguments})
    if "tools" in caps:
        request("tools/list", {})
    if not sent:
        request(harmless_method(session), {})
    return sent


def _logs_during(
    session: Session, meta: dict[str, Any] | None = None, *, expected: bool = False
) -> tuple[list[dict[str, Any]], list[str]]:
    """The log messages sent during a round of reads. When messages are `expected` (level
    debug), they get up to MESSAGE_WAIT to come (a busy machine), then SETTLE for stragglers."""
    start = len(session.received)
    sent = _activity(session, meta)
    if expected:
        session.wait_until(lambda: bool(checks.log_messages(session.received[start:])), MESSAGE_WAIT)
    session.settle(SETTLE)
    return checks.log_messages(session.received[start:]), sent


@pytest.mark.rule("LOG-01", "LOG-02")
@pytest.mark.era("legacy")
@pytest.mark.requires_capability("logging")
def test_log01_set_level_filters_messages(mcp_connect, verdict):
    """One fresh connection for the whole setLevel story (a Python SDK server costs about a
    second of CPU to start): an unknown level is refused, `emergency` silences the reads,
    `debug` lets their messages through, and those are well formed (LOG-02)."""
    session = mcp_connect()
    verdict.add(checks.bogus_level(session.request("logging/setLevel", {"level": "bogus"}), "bogus"))
    exchange = session.request("logging/setLevel", {"level": "emergency"})
    verdict.add(checks.set_level_ok(exchange, "emergency"))
    messages, _sent = _logs_during(session)
    verdict.add(checks.below_level(messages, "emergency"))
    session.request("logging/setLevel", {"level": "debug"})  # judged above: emergency took the same path
    messages, _sent = _logs_during(session, expected=True)
    verdict.add(checks.message_shape(messages), checks.messages_observed(messages))


@pytest.mark.rule("LOG-02")
@pytest.mark.era("modern")
@pytest.mark.requires_capability("logging")
def test_log02_log_messages_are_well_formed(mcp_session, verdict):
    """2026-07-28: the level rides each request (`_meta` logLevel), so the shared session serves."""
    messages, _sent = _logs_during(mcp_session, {META_LOG_LEVEL: "debug"}, expected=True)
    verdict.add(checks.message_shape(messages), checks.messages_observed(messages))


@pytest.mark.rule("LOG-03")
@pytest.mark.era("modern")
def test_log03_no_log_messages_without_log_level(mcp_connect, verdict):
    session = mcp_connect()
    messages, sent = _logs_during(session)
    verdict.add(checks.unrequested(messages, sent))


@pytest.mark.rule("LOG-03")
@pytest.mark.era("modern")
def test_log03_unknown_log_level_gets_32602(mcp_session, verdict):
    caps = mcp_session.state.capabilities
    method = next(
        (
            m
            for m, cap in (
                ("resources/list", "resources"),
                ("prompts/list", "prompts"),
                ("tools/list", "tools"),
            )
            if cap in caps
        ),
        "server/discover",
    )
    exchange = mcp_session.request(method, {"_meta": {META_LOG_LEVEL: "bogus"}})
    verdict.add(checks.bogus_meta_level(exchange, method))
