"""Legacy lifecycle and version negotiation (LIFE-*, PING-01), on fresh connections."""

from __future__ import annotations

import time

import pytest

from harness.checks.jsonrpc import no_reply
from harness.findings import fail, info, warn
from harness.session import NoResponse, ServerGone
from harness.versions import LEGACY_VERSIONS
from suites._support import replies_without_request

pytestmark = pytest.mark.era("legacy")


@pytest.mark.rule("LIFE-01")
def test_life01_initialize_result_shape(mcp_connect, verdict):
    session = mcp_connect(open=False)
    exchange = session.initialize(verdict.version)
    result = exchange.result if isinstance(exchange.result, dict) else None
    if result is None:
        verdict.add(fail("LIFE-01", "initialize did not return a result", exchange.response))
        return
    for key in ("protocolVersion", "capabilities", "serverInfo"):
        if key not in result:
            verdict.add(fail("LIFE-01", f"InitializeResult has no {key}", exchange.response))
    server_info = result.get("serverInfo")
    if isinstance(server_info, dict) and not all(
        isinstance(server_info.get(k), str) for k in ("name", "version")
    ):
        verdict.add(fail("LIFE-01", "serverInfo needs string name and version", exchange.response))


@pytest.mark.rule("LIFE-02")
@pytest.mark.parametrize("declared", ["no capabilities", "roots"])
def test_life02_supported_version_is_echoed(mcp_connect, verdict, declared):
    """The version the probe saw accepted must be echoed again, whatever the client declares."""
    capabilities = {} if declared == "no capabilities" else {"roots": {"listChanged": True}}
    session = mcp_connect(open=False, capabilities=capabilities)
    exchange = session.initialize(verdict.version)
    got = (exchange.result or {}).get("protocolVersion")
    if got != verdict.version:
        verdict.add(
            fail(
                "LIFE-02",
                f"asked for {verdict.version} (which it supports) declaring {declared}, got {got!r}",
                exchange.response,
            )
        )


@pytest.mark.rule("LIFE-03")
def test_life03_unknown_version_gets_a_counter_offer(mcp_connect, verdict):
    session = mcp_connect(open=False)
    exchange = session.initialize("1999-01-01", send_initialized=False)
    if exchange.ok:
        got = (exchange.result or {}).get("protocolVersion")
        if got not in LEGACY_VERSIONS:
            verdict.add(
                fail(
                    "LIFE-03",
                    f"counter-offer {got!r} is not a version the server can support",
                    exchange.response,
                )
            )
        elif got == "1999-01-01":
            verdict.add(
                fail(
                    "LIFE-03",
                    "server echoed an unknown version instead of a counter-offer",
                    exchange.response,
                )
            )
        return
    severity = fail if verdict.strict else warn
    supported = ((exchange.error or {}).get("data") or {}) if exchange.error else {}
    lists = isinstance(supported, dict) and "supported" in supported
    verdict.add(
        severity(
            "LIFE-03",
            "unknown version answered with an error instead of a counter-offer"
            + ("" if lists else " (and the error does not list the supported versions)"),
            exchange.response,
        )
    )


@pytest.mark.rule("LIFE-04")
def test_life04_initialize_without_version(mcp_connect, verdict):
    session = mcp_connect(open=False)
    try:
        exchange = session.request(
            "initialize", {"capabilities": {}, "clientInfo": {"name": "mcp-harness", "version": "0"}}
        )
    except NoResponse:
        verdict.add(fail("LIFE-04", "initialize without protocolVersion: no answer (the server hangs)"))
        return
    except ServerGone as exc:
        verdict.add(fail("LIFE-04", f"initialize without protocolVersion: the server exited ({exc})"))
        return
    if exchange.ok:
        verdict.add(info("LIFE-04", "initialize without protocolVersion was accepted with a default version"))
    elif exchange.code != -32602:
        verdict.add(
            info("LIFE-04", f"initialize without protocolVersion rejected with {exchange.code}, not -32602")
        )


@pytest.mark.rule("LIFE-05")
def test_life05_no_reply_to_initialized(mcp_connect, verdict):
    session = mcp_connect(open=False)
    session.initialize(verdict.version, send_initialized=False)
    start = len(session.received)
    session.notify("notifications/initialized")
    session.collect(0.4)
    verdict.add(no_reply("LIFE-05", replies_without_request(session, start), "notifications/initialized"))


@pytest.mark.rule("LIFE-06")
def test_life06_no_requests_before_initialized(mcp_connect, verdict):
    # declare roots so that a server which wants them is tempted to ask too early
    session = mcp_connect(open=False, capabilities={"roots": {"listChanged": False}})
    session.initialize(verdict.version, send_initialized=False)
    frames = session.collect(1.5)
    early = [
        f.message
        for f in frames
        if isinstance(f.message, dict) and "id" in f.message and f.message.get("method") not in (None, "ping")
    ]
    for message in early:
        verdict.add(
            warn("LIFE-06", f"server sent {message.get('method')} before notifications/initialized", message)
        )


@pytest.mark.rule("LIFE-07")
def test_life07_request_before_initialize_is_survived(mcp_connect, verdict):
    session = mcp_connect(open=False)
    try:
        exchange = session.request("tools/list", {})
        if exchange.ok:
            verdict.add(info("LIFE-07", "tools/list before initialize was processed"))
        session.initialize(verdict.version)  # the server must still be usable afterwards
    except ServerGone as exc:
        verdict.add(fail("LIFE-07", f"a request before initialize crashed the server: {exc}"))


@pytest.mark.rule("LIFE-08")
@pytest.mark.versions("2025-03-26")
def test_life08_no_newer_fields_at_2025_03_26(mcp_connect, verdict):
    session = mcp_connect(open=False)
    session.initialize("2025-03-26")
    caps = session.state.capabilities
    if "tools" not in caps:
        pytest.skip("server did not declare the tools capability")
    for _exchange, tools in session.list_all("tools/list", "tools"):
        for tool in tools:
            for key in ("title", "outputSchema"):
                if isinstance(tool, dict) and key in tool:
                    verdict.add(
                        warn("LIFE-08", f"tool {tool.get('name')!r} has {key}, new in 2025-06-18", tool)
                    )


@pytest.mark.rule("PING-01")
def test_ping01_ping_answered_quickly_with_empty_result(mcp_session, verdict):
    started = time.monotonic()
    exchange = mcp_session.request("ping")
    elapsed = time.monotonic() - started
    if exchange.ok and exchange.result != {}:
        verdict.add(
            warn("PING-01", f"ping result is not an empty object: {exchange.result!r}", exchange.response)
        )
    if not exchange.ok:
        verdict.add(fail("PING-01", "ping was answered with an error", exchange.response))
    if elapsed > 1.0:
        verdict.add(warn("PING-01", f"ping took {elapsed:.2f}s (over 1s)"))


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
        verdict.add(warn("PING-01", "no reply to a ping sent while initialize was in flight"))
