"""Streamable HTTP rules (HTTP-*, and RPC-12 on HTTP), over `--server-url` only.

Each test makes a few HTTP exchanges with full control of the headers
(`transport.raw`) next to a normally opened session, and hands the exchanges
to the pure checks in `harness.checks.http`. Raw exchanges do not go through
the session, so the per-frame checks never judge the deliberately bad ones.

INFO-only rules (HTTP-02 binding, HTTP-05 Accept variants, HTTP-L07 DELETE)
are reported as findings from unmarked tests or from a related test: a rule
that can only be INFO has no failing verdict a fault fixture could prove.
"""

from __future__ import annotations

import socket
import uuid
from typing import Any
from urllib.parse import urlparse

import pytest

from harness.checks import http as checks
from harness.protocol.session import Session
from harness.protocol.versions import V2, V3, V4, V5
from harness.transport.base import HttpInfo
from suites._support import harmless_method, plain_headers

pytestmark = pytest.mark.transport("http")

LEGACY_HTTP = (V2, V3, V4)
FROM_V2 = (V2, V3, V4, V5)
EVIL_ORIGIN = "http://evil.example"


# -- helpers: build a message the normal way, then post it with edited headers --------
def message(
    session: Session, method: str, params: dict[str, Any] | None = None, **meta: Any
) -> dict[str, Any]:
    """A well-formed request (with the V5 `_meta` when modern), plus extra `_meta` entries."""
    built = session.request_message(method, params or {})
    if meta:
        built["params"] = {
            **built.get("params", {}),
            "_meta": {**built.get("params", {}).get("_meta", {}), **meta},
        }
    return built


def post(
    session: Session,
    body: Any,
    headers: dict[str, str | None] | None = None,
    *,
    stream_seconds: float = 0.0,
) -> HttpInfo:
    """POST `body` with the headers a correct client sends, edited by `headers` (None drops one)."""
    return session.post_raw(body, headers, stream_seconds=stream_seconds)


def named_request(session: Session, call_tools: bool) -> tuple[str, dict[str, Any], str] | None:
    """A request that needs Mcp-Name: (method, params, name), side-effect free when possible."""
    caps = session.state.capabilities
    if "prompts" in caps:
        prompts = (session.request("prompts/list", {}).result or {}).get("prompts") or []
        if prompts and isinstance(prompts[0].get("name"), str):
            wanted = [
                a for a in prompts[0].get("arguments") or [] if isinstance(a, dict) and a.get("required")
            ]
            arguments = {a["name"]: "harness" for a in wanted if isinstance(a.get("name"), str)}
            return "prompts/get", {"name": prompts[0]["name"], "arguments": arguments}, prompts[0]["name"]
    if "resources" in caps:
        resources = (session.request("resources/list", {}).result or {}).get("resources") or []
        if resources and isinstance(resources[0].get("uri"), str):
            return "resources/read", {"uri": resources[0]["uri"]}, resources[0]["uri"]
    if "tools" in caps and call_tools:
        tools = (session.request("tools/list", {}).result or {}).get("tools") or []
        if tools and isinstance(tools[0].get("name"), str):
            return "tools/call", {"name": tools[0]["name"], "arguments": {}}, tools[0]["name"]
    return None


def base64_header(value: str) -> str:
    """The `=?base64?...?=` form of a header value (HTTP-M04)."""
    import base64

    return "=?base64?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


def non_loopback_address() -> str | None:
    """An address of this host that is not loopback (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def reachable(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=1.0):
            return True
    except OSError:
        return False


# -- common to every version -----------------------------------------------------------
@pytest.mark.rule("HTTP-01")
def test_http01_foreign_origin_is_refused(mcp_session, verdict):
    method = harmless_method(mcp_session)
    refused = post(mcp_session, message(mcp_session, method), {"Origin": EVIL_ORIGIN})
    verdict.add(checks.foreign_origin_rejected(refused, verdict.version))
    verdict.add(checks.no_origin_served(post(mcp_session, message(mcp_session, method))))
    verdict.add(
        checks.host_check_note(post(mcp_session, message(mcp_session, method), {"Host": "evil.example"}))
    )


def test_http02_local_server_binds_loopback_only(mcp_target, mcp_session, verdict):
    """HTTP-02 is INFO only, and checked only when the harness launched the server."""
    url = urlparse(mcp_target.url or "")
    if not (mcp_target.command and url.hostname in ("127.0.0.1", "localhost") and url.port):
        pytest.skip("HTTP-02 is checked only for a server the harness launched on a loopback URL")
    address = non_loopback_address()
    verdict.add(checks.binding_note(None if address is None else reachable(address, url.port), address))


@pytest.mark.rule("HTTP-03")
@pytest.mark.versions(*FROM_V2)
def test_http03_notification_gets_202_and_no_body(mcp_session, verdict):
    if mcp_session.modern:
        note = {
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": mcp_session.with_meta({"requestId": "harness-never-sent", "reason": "probe"}),
        }
    else:
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    verdict.add(checks.notification_accepted(post(mcp_session, note)))


@pytest.mark.rule("HTTP-04")
@pytest.mark.versions(*FROM_V2)
def test_http04_request_answered_as_json_or_sse(mcp_session, verdict):
    method = harmless_method(mcp_session)
    verdict.add(checks.request_content_type(post(mcp_session, message(mcp_session, method)), method))
    for name in ("tools/list", "resources/list", "prompts/list"):
        if name.split("/")[0] in mcp_session.state.capabilities:
            exchange = mcp_session.request(name, {})
            if exchange.http is not None:
                verdict.add(checks.request_content_type(exchange.http, name))


@pytest.mark.versions(*FROM_V2)
def test_http05_accept_variants(mcp_session, verdict):
    """HTTP-05 is INFO only: the spec does not say what a server does with a narrower Accept."""
    method = harmless_method(mcp_session)
    for accept in ("application/json", "text/event-stream"):
        exchange = post(mcp_session, message(mcp_session, method), {"Accept": accept})
        verdict.add(checks.accept_variant_note(exchange, accept))


@pytest.mark.rule("HTTP-06")
@pytest.mark.versions(*FROM_V2)
def test_http06_stream_carries_only_its_request(mcp_session, verdict):
    methods = [harmless_method(mcp_session)]
    if "tools" in mcp_session.state.capabilities:
        methods.append("tools/list")
    for index, method in enumerate(methods):
        token = f"harness-progress-{index}"
        sent = message(mcp_session, method, progressToken=token)
        exchange = post(mcp_session, sent, stream_seconds=2.0)
        verdict.add(checks.stream_related(exchange, sent["id"], token, mcp_session.modern))


# -- legacy 2025-03-26 .. 2025-11-25 ---------------------------------------------------------
@pytest.mark.rule("HTTP-L01", "HTTP-L02")
@pytest.mark.versions(*LEGACY_HTTP)
def test_httpl01_get_is_a_stream_or_405(mcp_session, verdict):
    exchange = mcp_session.http.raw(
        "GET",
        headers=plain_headers(mcp_session, "text/event-stream"),
        replace_headers=True,
        stream_seconds=1.0,
    )
    verdict.add(checks.get_stream_or_405(exchange))
    if exchange.content_type == checks.SSE:
        verdict.add(checks.get_stream_without_responses(exchange))


@pytest.mark.rule("HTTP-L04")
@pytest.mark.versions(*LEGACY_HTTP)
def test_httpl04_session_id_is_visible_ascii(mcp_connect, verdict):
    first = mcp_connect()
    sid = first.http.session_id
    if sid is None:
        pytest.skip("the server assigns no Mcp-Session-Id (sessions are optional)")
    verdict.add(checks.session_id_chars(sid))
    second = mcp_connect()
    if second.http.session_id is not None:
        verdict.add(checks.distinct_sessions(sid, second.http.session_id))


@pytest.mark.rule("HTTP-L05")
@pytest.mark.versions(*LEGACY_HTTP)
def test_httpl05_request_without_session_gets_400(mcp_connect, verdict):
    session = mcp_connect()
    if session.http.session_id is None:
        pytest.skip("the server assigns no Mcp-Session-Id (sessions are optional)")
    exchange = post(session, message(session, "ping"), {"Mcp-Session-Id": None})
    verdict.add(checks.missing_session_rejected(exchange))


@pytest.mark.rule("HTTP-L06")
@pytest.mark.versions(*LEGACY_HTTP)
def test_httpl06_ended_and_unknown_sessions_get_404(mcp_connect, verdict):
    session = mcp_connect()
    if session.http.session_id is None:
        pytest.skip("the server assigns no Mcp-Session-Id (sessions are optional)")
    never_issued = "harness-never-issued-" + uuid.uuid4().hex
    verdict.add(
        checks.unknown_session_404(post(session, message(session, "ping"), {"Mcp-Session-Id": never_issued}))
    )
    deleted = session.http.raw(
        "DELETE", headers=plain_headers(session, "application/json, text/event-stream"), replace_headers=True
    )
    verdict.add(checks.delete_note(deleted))  # HTTP-L07 (MAY): INFO
    if 200 <= deleted.status < 300:
        verdict.add(checks.ended_session_404(post(session, message(session, "ping"))))


@pytest.mark.rule("HTTP-L08")
@pytest.mark.versions(V3, V4)
def test_httpl08_bad_version_header_gets_400(mcp_session, verdict):
    exchange = post(mcp_session, message(mcp_session, "ping"), {"MCP-Protocol-Version": "1999-01-01"})
    verdict.add(checks.bad_version_header_400(exchange))


# -- batches on HTTP (RPC-12, V3+) -------------------------------------------------------------
@pytest.mark.rule("RPC-12")
@pytest.mark.versions(V3, V4, V5)
def test_rpc12_http_batch_is_refused(mcp_session, verdict):
    method = harmless_method(mcp_session)
    batch = [message(mcp_session, method), message(mcp_session, method)]
    headers: dict[str, str | None] = {}
    if mcp_session.modern:
        headers["MCP-Protocol-Version"] = mcp_session.version
    verdict.add(checks.batch_refused(post(mcp_session, batch, headers)))


# -- modern 2026-07-28 -------------------------------------------------------------------------
@pytest.mark.rule("HTTP-M01")
@pytest.mark.versions(V5)
def test_httpm01_post_only_and_no_sessions(mcp_session, verdict):
    discover = post(mcp_session, message(mcp_session, "server/discover"))
    verdict.add(checks.no_session_header(discover))
    with_sid = post(
        mcp_session,
        message(mcp_session, "server/discover"),
        {"Mcp-Session-Id": "harness-" + uuid.uuid4().hex},
    )
    verdict.add(checks.session_header_tolerated(discover, with_sid))
    for method in ("GET", "DELETE"):
        exchange = mcp_session.http.raw(
            method,
            headers=plain_headers(mcp_session, "text/event-stream"),
            replace_headers=True,
            stream_seconds=1.0,
        )
        verdict.add(checks.only_post(exchange))


@pytest.mark.rule("HTTP-M02")
@pytest.mark.versions(V5)
def test_httpm02_version_header_must_match(mcp_session, verdict):
    wrong = post(mcp_session, message(mcp_session, "server/discover"), {"MCP-Protocol-Version": V4})
    verdict.add(
        checks.header_mismatch_rejected(
            "HTTP-M02", wrong, "MCP-Protocol-Version 2025-11-25 with a 2026-07-28 body"
        )
    )
    missing = post(mcp_session, message(mcp_session, "server/discover"), {"MCP-Protocol-Version": None})
    if checks.served(missing):  # a server MAY read a missing header as 2025-03-26, never as a match
        verdict.add(checks.header_mismatch_rejected("HTTP-M02", missing, "no MCP-Protocol-Version header"))


@pytest.mark.rule("HTTP-M03")
@pytest.mark.versions(V5)
def test_httpm03_method_and_name_headers_must_match(mcp_session, verdict):
    what = "server/discover"
    for headers, why in (
        ({"Mcp-Method": None}, "no Mcp-Method"),
        ({"Mcp-Method": "tools/list"}, "Mcp-Method: tools/list"),
    ):
        exchange = post(mcp_session, message(mcp_session, what), headers)
        verdict.add(checks.header_mismatch_rejected("HTTP-M03", exchange, f"{what} with {why}"))
    named = named_request(mcp_session, verdict.run.call_tools)
    if named is None:
        return
    method, params, _name = named
    for headers, why in (
        ({"Mcp-Name": None}, "no Mcp-Name"),
        ({"Mcp-Name": "harness-wrong-name"}, "a wrong Mcp-Name"),
    ):
        exchange = post(mcp_session, message(mcp_session, method, params), headers)
        verdict.add(checks.header_mismatch_rejected("HTTP-M03", exchange, f"{method} with {why}"))


@pytest.mark.rule("HTTP-M04")
@pytest.mark.versions(V5)
def test_httpm04_encoded_values_and_header_case(mcp_session, verdict):
    lower = {
        "mcp-method": "server/discover",
        "mcp-protocol-version": mcp_session.version,
        "Mcp-Method": None,
        "MCP-Protocol-Version": None,
    }
    exchange = post(mcp_session, message(mcp_session, "server/discover"), lower)
    verdict.add(checks.encoded_value_accepted(exchange, "server/discover with lower-case header names"))
    named = named_request(mcp_session, verdict.run.call_tools)
    if named is None:
        return
    method, params, name = named
    exchange = post(mcp_session, message(mcp_session, method, params), {"Mcp-Name": base64_header(name)})
    verdict.add(checks.encoded_value_accepted(exchange, f"{method} with Mcp-Name {base64_header(name)!r}"))


@pytest.mark.rule("HTTP-M06")
@pytest.mark.versions(V5)
def test_httpm06_error_statuses(mcp_session, verdict):
    unknown = post(mcp_session, message(mcp_session, "x-harness/no-such-method"))
    verdict.add(checks.status_matches_error(unknown, 404, checks.METHOD_NOT_FOUND, "an unknown method"))
    old = message(mcp_session, "server/discover", **{"io.modelcontextprotocol/protocolVersion": "1900-01-01"})
    unsupported = post(mcp_session, old, {"MCP-Protocol-Version": "1900-01-01"})
    verdict.add(
        checks.status_matches_error(unsupported, 400, checks.UNSUPPORTED_VERSION, "version 1900-01-01")
    )
    bare = {"jsonrpc": "2.0", "id": mcp_session.new_id(), "method": "server/discover", "params": {}}
    verdict.add(checks.status_matches_error(post(mcp_session, bare), 400, checks.INVALID_PARAMS, "no _meta"))
