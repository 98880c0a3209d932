"""Legacy lifecycle and version negotiation (LIFE-*, PING-01), on fresh connections."""

from __future__ import annotations

import time

import pytest

from harness.checks import lifecycle
from harness.checks.jsonrpc import no_reply
from harness.protocol.session import NoResponse, ServerGone
from harness.protocol.versions import V2
from suites._support import replies_without_request

pytestmark = pytest.mark.era("legacy")


@pytest.mark.rule("LIFE-01", "LIFE-02")
@pytest.mark.parametrize("declared", ["no capabilities", "roots"])
def test_life02_supported_version_is_echoed(mcp_connect, verdict, declared):
    """The version the probe saw accepted must be echoed again, whatever the client declares;
    and each of these handshakes' results has the shape LIFE-01 asks (one fresh server a
    handshake: a Python SDK server costs about a second of CPU to start)."""
    capabilities = {} if declared == "no capabilities" else {"roots": {"listChanged": True}}
    session = mcp_connect(open=False, capabilities=capabilities)
    exchange = session.initialize(verdict.version)
    verdict.add(lifecycle.version_echoed(exchange, verdict.version, declared))
    verdict.add(lifecycle.initialize_result(exchange))


@pytest.mark.rule("LIFE-03")
@pytest.mark.once_per_era("the same unknown version is offered at every version")
def test_life03_unknown_version_gets_a_counter_offer(mcp_connect, verdict):
    session = mcp_connect(open=False)
    exchange = session.initialize(lifecycle.UNKNOWN_VERSION, send_initialized=False)
    verdict.add(lifecycle.counter_offer(exchange, strict=verdict.strict))


@pytest.mark.rule("LIFE-04")
@pytest.mark.once_per_era("the initialize names no version")
def test_life04_initialize_without_version(mcp_connect, verdict):
    session = mcp_connect(open=False)
    try:
        exchange = session.request(
            "initialize", {"capabilities": {}, "clientInfo": {"name": "mcp-harness", "version": "0"}}
        )
    except NoResponse:
        verdict.add(lifecycle.versionless_initialize(None))
        return
    except ServerGone as exc:
        verdict.add(lifecycle.versionless_initialize(None, gone=str(exc)))
        return
    verdict.add(lifecycle.versionless_initialize(exchange))


@pytest.mark.rule("LIFE-05", "LIFE-06")
def test_life06_no_requests_before_initialized_and_no_reply_to_it(mcp_connect, verdict):
    """Between initialize and `initialized` the server sends no request but ping (LIFE-06);
    then `initialized` gets no reply (LIFE-05). One fresh server for both."""
    # declare roots so that a server which wants them is tempted to ask too early
    session = mcp_connect(open=False, capabilities={"roots": {"listChanged": False}})
    session.initialize(verdict.version, send_initialized=False)
    frames = session.settle(1.5, require_answer=False)  # ping is allowed before initialized
    verdict.add(lifecycle.early_requests(frames))
    start = len(session.received)
    session.notify("notifications/initialized")
    session.settle(0.4)
    verdict.add(no_reply("LIFE-05", replies_without_request(session, start), "notifications/initialized"))


@pytest.mark.rule("LIFE-07")
@pytest.mark.once_per_era("the request comes before any version is negotiated")
def test_life07_request_before_initialize_is_survived(mcp_connect, verdict):
    session = mcp_connect(open=False)
    try:
        verdict.add(lifecycle.request_before_initialize(session.request("tools/list", {})))
        session.initialize(verdict.version)  # the server must still be usable afterwards
    except ServerGone as exc:
        verdict.add(lifecycle.crashed_before_initialize(str(exc)))


@pytest.mark.rule("LIFE-08")
@pytest.mark.versions(V2)
def test_life08_no_newer_fields_at_2025_03_26(mcp_connect, verdict):
    session = mcp_connect(open=False)
    session.initialize(V2)
    caps = session.state.capabilities
    if "tools" not in caps:
        pytest.skip("server did not declare the tools capability")
    for _exchange, tools in session.list_all("tools/list", "tools"):
        verdict.add(lifecycle.newer_tool_fields(tools, V2))


@pytest.mark.rule("PING-01")
def test_ping01_ping_answered_quickly_with_empty_result(mcp_session, verdict):
    started = time.monotonic()
    exchange = mcp_session.request("ping")
    verdict.add(lifecycle.ping_answer(exchange, time.monotonic() - started))


@pytest.mark.rule("PING-01")
def test_ping01_ping_during_initialize(mcp_connect, verdict):
    session = mcp_connect(open=False)
    init = session.send_request(
        "initialize",
        {
            "protocolVersion": verdict.version,
            "capabilities": {},
            "clientInfo": {"name": "mcp-harness", "version": "0"},
        },
    )
    ping = session.send_request("ping")
    session.wait(init)
    session.wait(ping, timeout=3.0, raise_on_timeout=False)
    if ping.response is None:
        session.abandon([ping])
    verdict.add(lifecycle.ping_during_initialize(ping))
