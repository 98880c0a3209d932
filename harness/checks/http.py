"""Streamable HTTP checks (HTTP-*, RPC-12 on HTTP): pure functions over HttpInfo.

Each function judges one HTTP exchange the suite made (status, headers, body,
SSE events) and returns findings; none of them does I/O. The graded outcomes
follow spec-rules.md: MUST -> fail, SHOULD and derived -> warn, MAY -> info.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.versions import V3, V4, V5, version_index
from harness.transport.base import HttpInfo

JSON = "application/json"
SSE = "text/event-stream"
HEADER_MISMATCH = -32020
UNSUPPORTED_VERSION = -32022
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602


# -- reading an exchange ------------------------------------------------------
def messages(exchange: HttpInfo) -> list[Any]:
    """The JSON values the server sent: the body, or each SSE event's data."""
    if exchange.content_type == SSE or exchange.sse_events:
        found = []
        for event in exchange.sse_events:
            data = (event.get("data") or "").strip()
            if data:
                try:
                    found.append(json.loads(data))
                except ValueError:
                    continue
        return found
    if not exchange.body.strip():
        return []
    try:
        return [json.loads(exchange.body)]
    except ValueError:
        return []


def reply(exchange: HttpInfo) -> dict[str, Any] | None:
    """The JSON-RPC response in an exchange (the first object with result or error)."""
    for message in messages(exchange):
        items = message if isinstance(message, list) else [message]
        for item in items:
            if isinstance(item, dict) and "method" not in item and ("result" in item or "error" in item):
                return item
    return None


def error_code(exchange: HttpInfo) -> Any:
    """The JSON-RPC error code in the exchange's response, or None."""
    found = reply(exchange)
    error = found.get("error") if found else None
    return error.get("code") if isinstance(error, dict) else None


def served(exchange: HttpInfo) -> bool:
    """A 2xx answer that carries a successful JSON-RPC result."""
    found = reply(exchange)
    return 200 <= exchange.status < 300 and found is not None and "result" in found


def summary(exchange: HttpInfo) -> dict[str, Any]:
    """Small evidence dict for an exchange."""
    body = exchange.body[:300].decode("utf-8", "replace") if exchange.body else ""
    return {
        "http": f"{exchange.method} -> {exchange.status} {exchange.content_type or '-'}",
        "body": body or [e.get("data", "")[:300] for e in exchange.sse_events[:3]],
    }


# -- common rules ----------------------------------------------------------------
@check("HTTP-01")
def foreign_origin_rejected(exchange: HttpInfo, version: str) -> list[Finding]:
    """HTTP-01: a request with a disallowed Origin gets 403 (V4+) or any 4xx (V1-V3)."""
    status = exchange.status
    needs_403 = version_index(version) >= version_index(V4)
    if needs_403 and status == 403:
        return []
    if not needs_403 and 400 <= status < 500:
        return []
    if 200 <= status < 300:
        return [
            fail(
                "HTTP-01",
                f"a request with Origin: http://evil.example was served (HTTP {status})",
                summary(exchange),
            )
        ]
    want = "403" if needs_403 else "a 4xx"
    return [fail("HTTP-01", f"a disallowed Origin got HTTP {status}, expected {want}", summary(exchange))]


@check("HTTP-01")
def no_origin_served(exchange: HttpInfo) -> list[Finding]:
    """HTTP-01 (derived): a request without Origin (a non-browser client) still works."""
    if served(exchange):
        return []
    return [
        warn(
            "HTTP-01",
            f"a request without an Origin header was not served (HTTP {exchange.status})",
            summary(exchange),
        )
    ]


@check("HTTP-01")
def host_check_note(exchange: HttpInfo) -> list[Finding]:
    """HTTP-01 (INFO): whether a foreign Host header is refused (DNS-rebinding hardening)."""
    if served(exchange):
        return [
            info(
                "HTTP-01", "a foreign Host header (evil.example) was accepted; Host checking is not spec text"
            )
        ]
    return [info("HTTP-01", f"a foreign Host header (evil.example) was refused with HTTP {exchange.status}")]


@check("HTTP-02")
def binding_note(reachable_elsewhere: bool | None, address: str | None) -> list[Finding]:
    """HTTP-02 (INFO): a local server should listen on 127.0.0.1 only."""
    if reachable_elsewhere is None:
        return [info("HTTP-02", "no non-loopback address on this host to probe the binding from")]
    if reachable_elsewhere:
        return [
            info("HTTP-02", f"the server also accepts connections on {address} (not bound to 127.0.0.1 only)")
        ]
    return [info("HTTP-02", f"the server is not reachable on {address}: bound to loopback only")]


@check("HTTP-03")
def notification_accepted(exchange: HttpInfo) -> list[Finding]:
    """HTTP-03: a POSTed notification gets 202 with an empty body, or a 4xx."""
    status = exchange.status
    if 400 <= status < 500:
        return [info("HTTP-03", f"the notification was refused with HTTP {status}")]
    if status != 202:
        return [
            fail(
                "HTTP-03",
                f"a POSTed notification got HTTP {status}, expected 202 (or a 4xx)",
                summary(exchange),
            )
        ]
    if exchange.body.strip() or any((e.get("data") or "").strip() for e in exchange.sse_events):
        return [fail("HTTP-03", "a POSTed notification got 202 with a non-empty body", summary(exchange))]
    return []


@check("HTTP-04")
def request_content_type(exchange: HttpInfo, what: str) -> list[Finding]:
    """HTTP-04: a served request is answered as application/json or text/event-stream."""
    if exchange.status >= 300:
        return []  # a refusal is judged by the rule it breaks, not here
    if exchange.content_type not in (JSON, SSE):
        ctype = exchange.content_type or "no Content-Type"
        return [fail("HTTP-04", f"{what} answered HTTP {exchange.status} with {ctype}", summary(exchange))]
    if exchange.content_type == JSON and len(messages(exchange)) != 1:
        return [fail("HTTP-04", f"{what}: application/json answer is not one JSON value", summary(exchange))]
    return []


@check("HTTP-05")
def accept_variant_note(exchange: HttpInfo, accept: str) -> list[Finding]:
    """HTTP-05 (INFO): what the server does with an Accept header lacking one type."""
    outcome = "served it" if served(exchange) else f"answered HTTP {exchange.status}"
    return [info("HTTP-05", f"with Accept: {accept} the server {outcome} ({exchange.content_type or '-'})")]


@check("HTTP-06")
def stream_related(exchange: HttpInfo, request_id: Any, token: Any, modern: bool) -> list[Finding]:
    """HTTP-06: messages on a POST's SSE stream relate to that request; V5 sets X-Accel-Buffering: no."""
    if exchange.content_type != SSE:
        return []
    found: list[Finding] = []
    for message in messages(exchange):
        if not isinstance(message, dict):
            continue
        if "method" not in message and "id" in message and message.get("id") != request_id:
            found.append(
                warn(
                    "HTTP-06",
                    f"response for id {message.get('id')!r} on the stream of request {request_id!r}",
                    message,
                )
            )
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        if message.get("method") == "notifications/progress" and params.get("progressToken") != token:
            found.append(
                warn(
                    "HTTP-06",
                    f"progress token {params.get('progressToken')!r} on the stream of request {request_id!r}",
                    message,
                )
            )
    if modern and exchange.headers.get("x-accel-buffering", "").strip().lower() != "no":
        found.append(
            warn(
                "HTTP-06",
                f"a {V5} SSE response lacks the header X-Accel-Buffering: no",
                summary(exchange),
            )
        )
    return found


# -- legacy V2-V4 ----------------------------------------------------------------
@check("HTTP-L01")
def get_stream_or_405(exchange: HttpInfo) -> list[Finding]:
    """HTTP-L01: GET on the endpoint returns text/event-stream or 405."""
    if exchange.status == 405:
        return []
    if 200 <= exchange.status < 300 and exchange.content_type == SSE:
        return []
    return [
        fail(
            "HTTP-L01",
            f"GET got HTTP {exchange.status} {exchange.content_type or '-'}, expected SSE or 405",
            summary(exchange),
        )
    ]


@check("HTTP-L02")
def get_stream_without_responses(exchange: HttpInfo) -> list[Finding]:
    """HTTP-L02: the GET stream carries no JSON-RPC responses (no resume was asked for)."""
    found = []
    for message in messages(exchange):
        for item in message if isinstance(message, list) else [message]:
            if isinstance(item, dict) and "method" not in item and ("result" in item or "error" in item):
                found.append(
                    fail(
                        "HTTP-L02",
                        f"the GET stream carried a JSON-RPC response (id {item.get('id')!r})",
                        item,
                    )
                )
    return found


@check("HTTP-L04")
def session_id_chars(session_id: str) -> list[Finding]:
    """HTTP-L04: a session id is visible ASCII (0x21-0x7E); its entropy is INFO."""
    bad = sorted({c for c in session_id if not 0x21 <= ord(c) <= 0x7E})
    if not session_id or bad:
        shown = ", ".join(repr(c) for c in bad) or "empty"
        return [fail("HTTP-L04", f"session id {session_id!r} has characters outside 0x21-0x7E: {shown}")]
    counts = Counter(session_id)
    bits = -sum(n / len(session_id) * math.log2(n / len(session_id)) for n in counts.values()) * len(
        session_id
    )
    note = "looks guessable" if bits < 64 else "looks unguessable"
    return [
        info(
            "HTTP-L04",
            f"session id of {len(session_id)} chars, about {bits:.0f} bits by symbol entropy: {note}",
        )
    ]


@check("HTTP-L04")
def distinct_sessions(first: str, second: str) -> list[Finding]:
    """HTTP-L04 (SHOULD): two sessions never share an id."""
    if first == second:
        return [warn("HTTP-L04", f"two sessions were given the same id {first!r}")]
    return []


@check("HTTP-L05")
def missing_session_rejected(exchange: HttpInfo) -> list[Finding]:
    """HTTP-L05: a non-initialize request without Mcp-Session-Id gets 400 (SHOULD)."""
    if exchange.status == 400:
        return []
    if served(exchange):
        return [
            warn(
                "HTTP-L05",
                "a request without Mcp-Session-Id was served by a server that assigns sessions",
                summary(exchange),
            )
        ]
    return [
        warn(
            "HTTP-L05",
            f"a request without Mcp-Session-Id got HTTP {exchange.status}, expected 400",
            summary(exchange),
        )
    ]


@check("HTTP-L06")
def ended_session_404(exchange: HttpInfo) -> list[Finding]:
    """HTTP-L06: a request naming an ended session gets 404."""
    if exchange.status == 404:
        return []
    what = "was served" if served(exchange) else f"got HTTP {exchange.status}"
    return [fail("HTTP-L06", f"a request in a DELETEd session {what}, expected 404", summary(exchange))]


@check("HTTP-L06")
def unknown_session_404(exchange: HttpInfo) -> list[Finding]:
    """HTTP-L06 (derived): a never-issued session id gets 404; 400 or anything else is WARN."""
    if exchange.status == 404:
        return []
    what = "was served" if served(exchange) else f"got HTTP {exchange.status}"
    return [
        warn(
            "HTTP-L06", f"a request naming a never-issued session id {what}, expected 404", summary(exchange)
        )
    ]


@check("HTTP-L07")
def delete_note(exchange: HttpInfo) -> list[Finding]:
    """HTTP-L07 (MAY): what DELETE with the session id does."""
    if exchange.status == 405:
        return [info("HTTP-L07", "DELETE with the session id is not allowed (405)")]
    if 200 <= exchange.status < 300:
        return [info("HTTP-L07", f"DELETE with the session id was accepted (HTTP {exchange.status})")]
    return [info("HTTP-L07", f"DELETE with the session id got HTTP {exchange.status}")]


@check("HTTP-L08")
def bad_version_header_400(exchange: HttpInfo) -> list[Finding]:
    """HTTP-L08: an unsupported MCP-Protocol-Version header after init gets 400."""
    if exchange.status == 400:
        return []
    what = "was served" if served(exchange) else f"got HTTP {exchange.status}"
    return [
        fail(
            "HTTP-L08",
            f"a request with MCP-Protocol-Version: 1999-01-01 {what}, expected 400",
            summary(exchange),
        )
    ]


# -- modern V5 -------------------------------------------------------------------
@check("HTTP-M01")
def no_session_header(exchange: HttpInfo) -> list[Finding]:
    """HTTP-M01: a 2026-07-28 server never sets Mcp-Session-Id."""
    if "mcp-session-id" in exchange.headers:
        return [
            fail(
                "HTTP-M01",
                f"a {V5} response set Mcp-Session-Id: {exchange.headers['mcp-session-id']!r}",
                summary(exchange),
            )
        ]
    return []


@check("HTTP-M01")
def only_post(exchange: HttpInfo) -> list[Finding]:
    """HTTP-M01: POST is the only method; GET and DELETE should get 405."""
    if exchange.status == 405:
        return []
    if 200 <= exchange.status < 300:
        return [
            fail(
                "HTTP-M01",
                f"{exchange.method} was served (HTTP {exchange.status}); POST is the only method",
                summary(exchange),
            )
        ]
    return [
        warn("HTTP-M01", f"{exchange.method} got HTTP {exchange.status}, expected 405", summary(exchange))
    ]


@check("HTTP-M02")
def header_mismatch_rejected(rule: str, exchange: HttpInfo, what: str) -> list[Finding]:
    """HTTP-M02/M03: a missing or mismatched routing header gets 400 + -32020.

    Served or processed (any 2xx, even with a method-level error) -> FAIL; refused
    with another status or code -> WARN (still refused, only the signal differs)."""
    if served(exchange) or 200 <= exchange.status < 300:
        outcome = (
            "served"
            if served(exchange)
            else f"processed (HTTP {exchange.status}, code {error_code(exchange)!r})"
        )
        return [fail(rule, f"{what}: the request was {outcome}, expected 400 with -32020", summary(exchange))]
    code = error_code(exchange)
    if exchange.status == 400 and code == HEADER_MISMATCH:
        return []
    return [
        warn(
            rule,
            f"{what}: refused with HTTP {exchange.status} and code {code!r}, expected 400 with -32020",
            summary(exchange),
        )
    ]


@check("HTTP-M04")
def encoded_value_accepted(exchange: HttpInfo, what: str) -> list[Finding]:
    """HTTP-M04: a correct header value (base64-encoded, or a lower-case name) is not a mismatch."""
    code = error_code(exchange)
    if code == HEADER_MISMATCH or (exchange.status == 400 and code is None):
        return [
            fail(
                "HTTP-M04",
                f"{what} was rejected as a header mismatch (HTTP {exchange.status}, code {code!r})",
                summary(exchange),
            )
        ]
    if reply(exchange) is None:
        return [fail("HTTP-M04", f"{what}: no JSON-RPC response (HTTP {exchange.status})", summary(exchange))]
    return []


@check("HTTP-M06")
def status_matches_error(exchange: HttpInfo, status: int, code: int, what: str) -> list[Finding]:
    """HTTP-M06: a 2026-07-28 error has its HTTP status (404/-32601, 400/-32022, 400/-32602)."""
    got = error_code(exchange)
    if served(exchange):
        return [
            fail(
                "HTTP-M06",
                f"{what}: served with a result, expected HTTP {status} with {code}",
                summary(exchange),
            )
        ]
    if exchange.status != status:
        return [
            fail(
                "HTTP-M06",
                f"{what}: HTTP {exchange.status}, expected {status} (error code {got!r})",
                summary(exchange),
            )
        ]
    if got != code:
        return [
            warn(
                "HTTP-M06",
                f"{what}: HTTP {status} as expected, but error code {got!r}, expected {code}",
                summary(exchange),
            )
        ]
    return []


# -- batches ---------------------------------------------------------------------
@check("RPC-12")
def batch_refused(exchange: HttpInfo) -> list[Finding]:
    """RPC-12 on HTTP from 2025-06-18: a POSTed batch gets a 4xx with a JSON-RPC error."""
    found = messages(exchange)
    answered_as_batch = (
        any(isinstance(m, list) for m in found)
        or sum(1 for m in found if isinstance(m, dict) and "result" in m) > 0
    )
    if answered_as_batch and 200 <= exchange.status < 300:
        return [
            fail(
                "RPC-12",
                f"a POSTed batch was processed (HTTP {exchange.status}); batching was removed in {V3}",
                summary(exchange),
            )
        ]
    if not 400 <= exchange.status < 500:
        return [
            warn(
                "RPC-12",
                f"a POSTed batch got HTTP {exchange.status}, expected a 4xx with a JSON-RPC error",
                summary(exchange),
            )
        ]
    if error_code(exchange) is None:
        return [
            warn(
                "RPC-12",
                f"a POSTed batch got HTTP {exchange.status} without a JSON-RPC error body",
                summary(exchange),
            )
        ]
    return []


@check("HTTP-M01")
def session_header_tolerated(plain: HttpInfo, with_sid: HttpInfo) -> list[Finding]:
    """HTTP-M01: a 2026-07-28 server has no sessions, so a request it serves
    is served as well when it carries an Mcp-Session-Id it never issued."""
    if served(plain) and not served(with_sid):
        return [
            fail(
                "HTTP-M01",
                f"a request carrying Mcp-Session-Id was refused (HTTP {with_sid.status})",
                summary(with_sid),
            )
        ]
    return []
