"""Progress notifications (PROG-01..03), on any server with a slow tool.

A generic server has no known slow tool: the suite looks for one honestly
(a seconds/duration/delay argument, or a name that says so) and skips with
the reason otherwise. Each test uses a fresh connection so that no other
test's notifications can arrive in its window (a Python SDK server costs about a
second of CPU to start, so one connection carries both token types at once).
"""

from __future__ import annotations

import pytest

from harness.checks.progress import (
    ProgressCall,
    after_response,
    progress_observed,
    strictly_increasing,
    unknown_tokens,
)
from suites._support import slow_tool_or_skip

SLOW_SECONDS = 0.4  # long enough for a few progress notifications
LINGER_SECONDS = 1.0  # PROG-03: the most to keep reading after the response (Session.settle)
TOKENS = [4242, "harness-progress-1"]


@pytest.mark.rule("PROG-01", "PROG-02", "PROG-03")
@pytest.mark.requires_capability("tools")
def test_progress_echoes_token_increases_and_stops(mcp_connect, verdict):
    """Two calls at once, an integer and a string token: each token's progress is judged alone
    (a server that mixes the tokens of concurrent requests up is caught too)."""
    session = mcp_connect()
    name, args = slow_tool_or_skip(session, verdict.run.call_tools, SLOW_SECONDS)
    start = len(session.received)
    exchanges = [
        session.send_request(
            "tools/call", {"name": name, "arguments": args, "_meta": {"progressToken": token}}
        )
        for token in TOKENS
    ]
    for exchange in exchanges:
        session.wait(exchange, timeout=session.timeout + 2 * SLOW_SECONDS)
    session.settle(LINGER_SECONDS)
    frames = session.received[start:]
    verdict.add(unknown_tokens(frames, TOKENS))
    for token, exchange in zip(TOKENS, exchanges, strict=True):
        call = ProgressCall(token=token, request_id=exchange.id, answered_at=exchange.received_at)
        verdict.add(strictly_increasing(frames, token), after_response(frames, call))
        verdict.add(progress_observed(frames, name, token))


@pytest.mark.rule("PROG-01")
@pytest.mark.requires_capability("tools")
def test_prog01_no_progress_without_a_token(mcp_connect, verdict):
    session = mcp_connect()
    name, args = slow_tool_or_skip(session, verdict.run.call_tools, SLOW_SECONDS)
    start = len(session.received)
    session.wait(
        session.send_request("tools/call", {"name": name, "arguments": args}),
        timeout=session.timeout + SLOW_SECONDS,
    )
    session.settle(0.3)
    verdict.add(unknown_tokens(session.received[start:], []))
