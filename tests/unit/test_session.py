"""Session on MemoryTransport: matching, server requests, abandon and drop detection.

The same behaviour tests/test_drop_detection.py proves against a real
process, here in milliseconds: the handler plays the server, `Later` and
`push` stand in for a server that answers late or speaks unasked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from harness.protocol.session import NoResponse, Session
from harness.transport.base import ServerGone, TransportError
from harness.transport.memory import Later, MemoryTransport, answer, refuse

INIT_RESULT = {
    "protocolVersion": "2025-11-25",
    "capabilities": {"tools": {"listChanged": True}},
    "serverInfo": {"name": "memory", "version": "1"},
}


def server(routes: dict[str, Any]) -> Callable[[Any], Any]:
    """A handler that answers the request methods in `routes` and is silent on everything else.

    A route is a result, or a function of the request returning any reply form.
    """

    def handle(message: Any) -> Any:
        if not (isinstance(message, dict) and "method" in message and "id" in message):
            return None
        route = routes.get(message["method"])
        if route is None:
            return None
        return route(message) if callable(route) else answer(message, route)

    return handle


def session_on(routes: dict[str, Any], **transport_options: Any) -> tuple[Session, MemoryTransport]:
    transport = MemoryTransport(server(routes), **transport_options)
    transport.start()
    return Session(transport, timeout=0.5), transport


# -- handshake and matching -----------------------------------------------------


def test_initialize_adopts_the_servers_answer_and_sends_initialized() -> None:
    session, transport = session_on({"initialize": INIT_RESULT})
    exchange = session.initialize("2025-11-25")
    assert exchange.ok
    assert (session.era, session.version) == ("legacy", "2025-11-25")
    assert session.state.server_info == {"name": "memory", "version": "1"}
    assert transport.sent[-1] == {"jsonrpc": "2.0", "method": "notifications/initialized"}


def test_responses_are_matched_by_id_whatever_their_order() -> None:
    session, transport = session_on({})
    first = session.send_request("tools/list", {})
    second = session.send_request("prompts/list", {})
    transport.push(answer(second.request, {"prompts": []}))
    transport.push(answer(first.request, {"tools": []}))
    session.wait(first)
    assert first.result == {"tools": []} and second.result == {"prompts": []}
    assert not first.loose_match and not second.loose_match
    assert [r.answers for r in session.received] == ["prompts/list", "tools/list"]
    assert session.unmatched == []


def test_an_id_echoed_in_another_json_type_is_delivered_but_flagged() -> None:
    session, _ = session_on({"ping": lambda m: {"jsonrpc": "2.0", "id": str(m["id"]), "result": {}}})
    exchange = session.request("ping")
    assert exchange.ok and exchange.loose_match
    assert isinstance(exchange.request["id"], int) and isinstance(exchange.response["id"], str)


def test_a_response_to_an_id_never_sent_is_unmatched() -> None:
    session, transport = session_on({})
    transport.push({"jsonrpc": "2.0", "id": 99, "result": {}})
    assert session.pump(0.1)
    assert session.unmatched == [{"jsonrpc": "2.0", "id": 99, "result": {}}]


def test_notifications_are_kept_apart_from_responses() -> None:
    progress = {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1}}
    session, _ = session_on({"tools/call": lambda m: [progress, answer(m, {"content": []})]})
    exchange = session.request("tools/call", {"name": "slow"})
    assert exchange.ok
    assert session.notifications == [progress]
    assert [r.answers for r in session.received] == [None, "tools/call"]


def test_a_tools_list_result_is_remembered_by_name() -> None:
    session, _ = session_on({"tools/list": {"tools": [{"name": "echo", "inputSchema": {"type": "object"}}]}})
    session.request("tools/list")
    assert list(session.tools) == ["echo"]


# -- the server's own requests ----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "capabilities", "reply"),
    [
        ("ping", {}, {"result": {}}),
        ("roots/list", {"roots": {}}, {"result": {"roots": []}}),
        ("roots/list", {}, {"error": {"code": -32601, "message": "client does not support roots/list"}}),
        (
            "sampling/createMessage",
            {},
            {"error": {"code": -32601, "message": "client does not support sampling/createMessage"}},
        ),
    ],
)
def test_server_requests_are_answered_as_a_client_must(method: str, capabilities: dict, reply: dict) -> None:
    asked = {"jsonrpc": "2.0", "id": "srv-1", "method": method}
    transport = MemoryTransport(server({"tools/call": lambda m: [asked, answer(m, {"content": []})]}))
    session = Session(transport, timeout=0.5, client_capabilities=capabilities)
    session.request("tools/call", {"name": "x"})
    assert session.server_requests == [asked]
    assert transport.sent[-1] == {"jsonrpc": "2.0", "id": "srv-1", **reply}


def test_a_modern_session_does_not_play_along_with_server_requests() -> None:
    asked = {"jsonrpc": "2.0", "id": "srv-1", "method": "ping"}
    session, transport = session_on(
        {
            "server/discover": {"supportedVersions": ["2026-07-28"], "capabilities": {}},
            "tools/call": lambda m: [asked, answer(m, {"content": []})],
        }
    )
    session.open("2026-07-28")
    session.request("tools/call", {"name": "x"})
    assert session.modern and session.server_requests == [asked]
    assert all(m.get("id") != "srv-1" for m in transport.sent)  # VER-07: never answered


# -- abandon, failures, HTTP flavour ------------------------------------------------


def test_an_abandoned_request_is_answered_quietly() -> None:
    session, transport = session_on({})
    exchange = session.send_request("tools/call", {"name": "slow"})
    session.abandon([exchange])
    transport.push(answer(exchange.request, {"content": []}))
    assert session.pump(0.1)
    assert exchange.response is None
    assert session.received[-1].answers == "(unawaited)"
    assert session.unmatched == []


def test_a_server_that_goes_away_raises_server_gone() -> None:
    session, _ = session_on({"tools/call": lambda m: ServerGone("exited with code 1", returncode=1)})
    with pytest.raises(ServerGone, match="exited"):
        session.request("tools/call", {"name": "x"})


def test_a_failure_below_json_rpc_answers_its_own_request() -> None:
    session, _ = session_on({"tools/call": lambda m: TransportError("HTTP 500 with an empty body")})
    exchange = session.request("tools/call", {"name": "x"})
    assert exchange.answered and exchange.response is None
    assert exchange.failure == "HTTP 500 with an empty body"


def test_over_http_an_id_null_error_answers_the_post_it_came_on() -> None:
    session, _ = session_on({"tools/call": lambda m: refuse({"id": None}, -32600, "bad")}, kind="http")
    exchange = session.request("tools/call", {"name": "x"})
    assert exchange.matched_by_post and exchange.code == -32600


def test_over_http_a_modern_session_sends_its_routing_headers() -> None:
    session, transport = session_on(
        {
            "server/discover": {"supportedVersions": ["2026-07-28"], "capabilities": {}},
            "tools/call": {"content": []},
        },
        kind="http",
    )
    session.open("2026-07-28")
    session.request("tools/call", {"name": "lookup"})
    assert transport.protocol_version == "2026-07-28"
    assert transport.headers[-1] == {
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/call",
        "Mcp-Name": "lookup",
    }


# -- waiting and drop detection -------------------------------------------------------


def test_wait_until_says_done_or_timeout() -> None:
    session, transport = session_on({})
    transport.push({"jsonrpc": "2.0", "method": "notifications/message"}, after=0.01)
    assert session.wait_until(lambda: bool(session.notifications), 0.5) == "done"
    assert session.wait_until(lambda: False, 0.02) == "timeout"


def test_a_request_dropped_while_ping_is_answered_is_given_up_early() -> None:
    session, _ = session_on({"ping": {}})  # tools/call is never answered
    started = time.monotonic()
    with pytest.raises(NoResponse) as caught:
        session.request("tools/call", {"name": "x", "arguments": 5}, timeout=5, drop_grace=0.2)
    took = time.monotonic() - started
    assert took < 1.0, took  # the grace after the ping, far from the 5 s timeout
    assert caught.value.exchange.dropped and caught.value.dropped is not None
    assert "dropped" in str(caught.value)
    assert any(e.method == "ping" and e.ok for e in session.exchanges)  # the sentinel really went out


def test_a_late_answer_within_the_grace_is_taken() -> None:
    # The ping takes 50 ms and the call 100 ms: the call is answered after the ping, well
    # within any grace the session gives after it (a few ping round trips, at least 0.1 s).
    session, _ = session_on(
        {
            "ping": lambda m: Later(answer(m, {}), 0.05),
            "tools/call": lambda m: Later(answer(m, {"content": []}), 0.1),
        }
    )
    exchange = session.send_request("tools/call", {"name": "x"})
    outcome = session.wait_until(lambda: exchange.answered, 5, drop_grace=0.3, probe_after=0.0)
    assert outcome == "done" and exchange.ok
    [sentinel] = [e for e in session.exchanges if e.method == "ping"]
    assert sentinel.received_at is not None and exchange.received_at is not None
    assert sentinel.received_at < exchange.received_at  # answered after the ping, still within the grace


def test_a_server_silent_on_everything_gets_the_whole_timeout() -> None:
    session, transport = session_on({})
    started = time.monotonic()
    with pytest.raises(NoResponse) as caught:
        session.request("tools/call", {"name": "x"}, timeout=0.15, drop_grace=0.02)
    assert time.monotonic() - started >= 0.15
    assert caught.value.dropped is None and not caught.value.exchange.dropped
    assert "within" in str(caught.value)
    [sentinel] = [e for e in session.exchanges if e.method == "ping"]
    transport.push(answer(sentinel.request, {}))  # the sentinel was abandoned: its late answer is no phantom
    session.pump(0.1)
    assert session.unmatched == []


def test_wait_without_raising_returns_the_unanswered_exchange() -> None:
    session, _ = session_on({})
    exchange = session.send_request("tools/call", {"name": "x"})
    assert session.wait(exchange, 0.02, raise_on_timeout=False) is exchange
    assert not exchange.answered and not exchange.dropped


# -- sentinels --------------------------------------------------------------------


def test_a_slow_ping_is_replaced_as_sentinel_by_a_declared_list_request() -> None:
    """PING-01 reports a slow ping once; the settles and drop waits after it must not pay for it."""
    session, transport = session_on(
        {
            "initialize": INIT_RESULT,
            "ping": lambda m: Later(answer(m, {}), after=0.6),
            "tools/list": {"tools": []},
        },
    )
    shared: set[str] = set()
    session.slow_sentinels = shared
    assert session.harmless_method == "ping"  # before the handshake, ping is the only choice
    session.initialize("2025-11-25")
    session.request("ping", timeout=2.0)
    assert shared == {"ping"}
    assert session.harmless_method == "tools/list"
    started = time.monotonic()
    session.settle(1.0)
    assert time.monotonic() - started < 0.5
    assert transport.sent[-1]["method"] == "tools/list"


def test_a_slow_ping_stays_the_sentinel_when_nothing_else_is_declared() -> None:
    bare = {**INIT_RESULT, "capabilities": {}}
    session, _ = session_on({"initialize": bare, "ping": lambda m: Later(answer(m, {}), after=0.6)})
    session.initialize("2025-11-25")
    session.request("ping", timeout=2.0)
    assert session.harmless_method == "ping"
