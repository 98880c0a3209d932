"""Cancellation (CANC-01/02/04): a cancelled request is dropped, a bogus cancel ignored.

CANC-01 needs a request that runs long enough to be cancelled; a generic server
has no known slow tool, so the suite looks for one honestly and skips with the
reason otherwise. Each test uses a fresh connection.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from harness.checks.cancellation import (
    answered_despite_cancel,
    cancelled_the_wrong_request,
    progress_after_cancel,
    server_sent_cancellations,
    too_quick_to_cancel,
)
from harness.checks.jsonrpc import no_reply
from harness.protocol.session import Session
from suites._support import (
    all_tools,
    harmless,
    replies_without_request,
    requested_seconds,
    slow_call,
    slow_tool_or_skip,
)

SLOW_SECONDS = 0.8  # the tool's run: a server that ignores the cancel answers after it
CANCEL_AFTER = 0.15
MARGIN = 0.4  # past the tool's run, before an answer counts as not coming
TRIES = 3  # races are allowed: only a response in every try counts


@pytest.mark.rule("CANC-01")
@pytest.mark.requires_capability("tools")
@pytest.mark.once_per_era("the same notifications/cancelled at every version of an era")
def test_canc01_cancelled_request_gets_no_response(mcp_connect, verdict, mcp_target):
    if verdict.era == "modern" and mcp_target.transport_kind == "http":
        pytest.skip(
            "on 2026-07-28 HTTP a request is cancelled by closing its stream (CANC-03), not testable here"
        )
    session = mcp_connect()
    name, args = slow_tool_or_skip(session, verdict.run.call_tools, SLOW_SECONDS)
    must = verdict.era == "modern" and session.transport.kind == "stdio"
    runs_for = requested_seconds(args, SLOW_SECONDS)  # whole seconds when the tool takes integers
    responses = []
    for attempt in range(TRIES):
        token = f"harness-cancel-{attempt}"
        start = len(session.received)
        exchange = session.send_request(
            "tools/call", {"name": name, "arguments": args, "_meta": {"progressToken": token}}
        )
        session.collect(CANCEL_AFTER)
        if exchange.answered:
            verdict.add(too_quick_to_cancel(name, CANCEL_AFTER))
            return
        cancelled_at = time.monotonic()  # until the ping below proves the server read the cancel
        session.notify(
            "notifications/cancelled", {"requestId": exchange.id, "reason": "mcp-harness cancel probe"}
        )
        read_it = harmless(session)  # the server must keep serving (LIVE-01/02 otherwise)
        cancelled_at = read_it.received_at or cancelled_at
        left = exchange.sent_at + runs_for + MARGIN - time.monotonic()
        session.wait(exchange, timeout=max(left, 0.0), raise_on_timeout=False)
        if not exchange.answered:
            session.abandon([exchange])
            session.settle(0.3)
        verdict.add(progress_after_cancel(session.received[start:], token, cancelled_at, must=must))
        responses.append(exchange.response)
        if exchange.response is None:
            break
    verdict.add(answered_despite_cancel(responses))


BOGUS_CANCELS = {
    "unknown-string-id": {"requestId": "never-sent-cancel-1", "reason": "probe"},
    "unknown-int-id": {"requestId": 987654321},
    "no-request-id": {"reason": "probe"},
    "request-id-object": {"requestId": {"id": 1}},
    "request-id-null": {"requestId": None},
}


@pytest.mark.rule("CANC-02", "RPC-05")
@pytest.mark.once_per_era("the same notifications/cancelled at every version of an era")
def test_canc02_bogus_cancels_are_ignored_silently(mcp_connect, verdict):
    """Bogus cancels get no reply; then, on the same connection (one fresh server, not two),
    cancels that name other ids leave a running request alone."""
    session = mcp_connect()
    finished = harmless(session)
    start = len(session.received)
    for params in [*BOGUS_CANCELS.values(), {"requestId": finished.id}]:
        session.notify("notifications/cancelled", params)
    session.send_message({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": 7})
    session.settle(0.3)  # the server must keep serving (LIVE-01/02 otherwise)
    verdict.add(no_reply("RPC-05", replies_without_request(session, start), "bogus notifications/cancelled"))
    if "tools" in session.state.capabilities:
        _bogus_cancels_leave_the_running_request_alone(session, verdict)


def _bogus_cancels_leave_the_running_request_alone(session: Session, verdict: Any) -> None:
    found = slow_call(all_tools(session), 0.5) if verdict.run.call_tools else None
    if found is None:
        return  # nothing slow to run: the silent part above is the whole test
    name, args = found
    runs_for = requested_seconds(args, 0.5)
    exchange = session.send_request("tools/call", {"name": name, "arguments": args})
    session.collect(CANCEL_AFTER)
    # The same id as a string, and cancels that name no id at all: none of them is this request.
    session.notify("notifications/cancelled", {"requestId": str(exchange.id), "reason": "probe"})
    session.notify("notifications/cancelled", {"reason": "probe"})
    # The run asked for, three times over and a second more: a server that acted on a bogus
    # cancel never answers, and one that ignores the requested length is a WARN either way.
    session.wait(exchange, timeout=min(session.timeout + 1.0, 3 * runs_for + 1.0), raise_on_timeout=False)
    if not exchange.answered:
        session.abandon([exchange])
    verdict.add(cancelled_the_wrong_request(exchange.id, exchange.response, "cancels naming other ids"))


@pytest.mark.rule("CANC-04")
@pytest.mark.era("modern")
@pytest.mark.requires_capability("tools")
def test_canc04_server_sends_no_cancellations(mcp_connect, verdict):
    session = mcp_connect()
    name, args = slow_tool_or_skip(session, verdict.run.call_tools, 0.3)
    start = len(session.received)
    session.wait(
        session.send_request("tools/call", {"name": name, "arguments": args}), timeout=session.timeout + 1.0
    )
    session.settle(0.3)
    verdict.add(server_sent_cancellations(session.received[start:]))
