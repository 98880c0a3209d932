"""JSON-RPC base rules (RPC-*), on any server, either era, any transport."""

from __future__ import annotations

import pytest

from harness.checks.jsonrpc import (
    batch_accepted,
    batch_rejected,
    error_reply,
    expect_error,
    id_echo,
    meta_sampled,
    no_reply,
    null_id_rejected,
)
from harness.protocol.session import DROP_GRACE
from suites._support import harmless, harmless_method, raw_request, replies_without_request, reply_to

ODD_IDS = [0, -5, 2**53 - 1, "1", "ünï", "a b", ""]


@pytest.mark.rule("RPC-02")
@pytest.mark.parametrize("request_id", ODD_IDS, ids=[repr(i) for i in ODD_IDS])
def test_rpc02_id_echoed_with_its_type(mcp_session, verdict, request_id):
    exchange = harmless(mcp_session, id=request_id)
    verdict.add(id_echo(exchange))


@pytest.mark.rule("RPC-05")
def test_rpc05_no_reply_to_unknown_notification(mcp_session, verdict):
    start = len(mcp_session.received)
    mcp_session.notify("notifications/x-unknown", {"detail": "harness probe"})
    mcp_session.settle(0.3)
    verdict.add(no_reply("RPC-05", replies_without_request(mcp_session, start), "notifications/x-unknown"))


@pytest.mark.rule("RPC-05")
def test_rpc05_no_reply_to_cancel_of_unknown_request(mcp_session, verdict):
    start = len(mcp_session.received)
    mcp_session.notify("notifications/cancelled", {"requestId": "never-sent-4242", "reason": "probe"})
    mcp_session.settle(0.3)
    verdict.add(no_reply("RPC-05", replies_without_request(mcp_session, start), "cancel of an unknown id"))


@pytest.mark.rule("RPC-07")
def test_rpc07_null_id_is_an_invalid_request(mcp_session, verdict):
    mcp_session.send_message(
        raw_request(mcp_session, {"jsonrpc": "2.0", "id": None, "method": harmless_method(mcp_session)})
    )
    verdict.add(null_id_rejected(reply_to(mcp_session, (None,), 2.0)))
    harmless(mcp_session)


@pytest.mark.rule("RPC-08")
def test_rpc08_invalid_json_gets_parse_error(mcp_session, verdict):
    mcp_session.send_raw(b'{"jsonrpc":\n')
    reply = reply_to(mcp_session, (None,), 2.0)
    verdict.add(error_reply("RPC-08", reply, -32700, "invalid JSON"))
    harmless(mcp_session)  # must still work (LIVE-02 otherwise)


INVALID_REQUESTS = {
    "no-method": {"jsonrpc": "2.0", "id": "inv-1"},
    "method-not-string": {"jsonrpc": "2.0", "id": "inv-2", "method": 42},
    "jsonrpc-1.0": {"jsonrpc": "1.0", "id": "inv-3", "method": "ping"},
}


@pytest.mark.rule("RPC-09")
@pytest.mark.parametrize("case", list(INVALID_REQUESTS))
def test_rpc09_invalid_request_gets_32600(mcp_session, verdict, case):
    frame = dict(INVALID_REQUESTS[case])
    mcp_session.send_message(frame)
    reply = reply_to(mcp_session, (frame["id"], None), 2.0)
    verdict.add(error_reply("RPC-09", reply, -32600, f"invalid request ({case})"))
    harmless(mcp_session)


@pytest.mark.rule("RPC-10")
def test_rpc10_unknown_method_gets_32601(mcp_session, verdict):
    exchange = mcp_session.request("x-harness/no-such-method", {})
    verdict.add(expect_error("RPC-10", exchange, -32601, "unknown method"))


BAD_PARAMS = {
    "params-not-object": 5,
    "name-not-string": {"name": 42, "arguments": {}},
    "name-missing": {"arguments": {}},
}


@pytest.mark.rule("RPC-11")
@pytest.mark.requires_capability("tools")
@pytest.mark.parametrize("case", list(BAD_PARAMS))
def test_rpc11_bad_params_get_32602(mcp_session, verdict, case):
    params = BAD_PARAMS[case]
    message = {"jsonrpc": "2.0", "id": mcp_session.new_id(), "method": "tools/call", "params": params}
    if isinstance(params, dict):
        message = raw_request(mcp_session, message)
    exchange = mcp_session.send_request("tools/call", message=message)
    # Silence is judged here (RPC-11), not as LIVE-01; refusing bad params takes no work.
    mcp_session.wait(exchange, raise_on_timeout=False, drop_grace=DROP_GRACE)
    if not exchange.answered:
        mcp_session.abandon([exchange])
    verdict.add(expect_error("RPC-11", exchange, -32602, f"tools/call with bad params ({case})"))


@pytest.mark.rule("RPC-12")
@pytest.mark.versions("2025-03-26")
def test_rpc12_batch_accepted_on_2025_03_26(mcp_session, verdict):
    batch = [mcp_session.request_message("ping") for _ in range(2)]
    exchanges = mcp_session.send_batch(batch)
    for exchange in exchanges:
        # pings need no work: a server that dropped the batch is told by the sentinel, not a timeout
        mcp_session.wait(exchange, raise_on_timeout=False, drop_grace=DROP_GRACE)
        if exchange.dropped:
            break
    mcp_session.abandon([e for e in exchanges if not e.answered])
    verdict.add(batch_accepted(exchanges))


@pytest.mark.rule("RPC-12")
@pytest.mark.versions("2025-06-18", "2025-11-25", "2026-07-28")
@pytest.mark.transport("stdio")
def test_rpc12_batch_rejected_from_2025_06_18(mcp_session, verdict):
    batch = [
        raw_request(mcp_session, mcp_session.request_message(harmless_method(mcp_session))) for _ in range(2)
    ]
    start = len(mcp_session.received)
    exchanges = mcp_session.send_batch(batch)
    reply = reply_to(mcp_session, (None,), 1.5)
    verdict.add(batch_rejected(exchanges, reply, mcp_session.received[start:]))
    mcp_session.abandon(exchanges)
    harmless(mcp_session)


@pytest.mark.rule("RPC-14")
@pytest.mark.versions("2025-06-18", "2025-11-25", "2026-07-28")
def test_rpc14_meta_keys_follow_the_grammar(mcp_session, verdict):
    from harness.checks.meta import meta_keys

    results = [harmless(mcp_session).response]
    if "tools" in mcp_session.state.capabilities:
        results.append(mcp_session.request("tools/list", {}).response)
    verdict.add(meta_keys(results), meta_sampled(results))


@pytest.mark.rule("RPC-06")
@pytest.mark.era("legacy")
def test_rpc06_server_request_ids_are_valid_and_unique(mcp_connect, verdict):
    """Declare roots so a server that asks the client things gets the chance; the
    per-frame check judges the ids of every server->client request (null, repeats)."""
    session = mcp_connect(open=False, capabilities={"roots": {"listChanged": True}})
    session.initialize(verdict.version)
    session.settle(0.5)


@pytest.mark.rule("RPC-13")
@pytest.mark.era("modern")
def test_rpc13_every_result_has_a_result_type(mcp_session, verdict):
    """Sample each family's list method; the per-frame check requires resultType on every result."""
    caps = mcp_session.state.capabilities
    harmless(mcp_session)
    for family, method in (
        ("tools", "tools/list"),
        ("resources", "resources/list"),
        ("prompts", "prompts/list"),
    ):
        if family in caps:
            mcp_session.request(method, {})
