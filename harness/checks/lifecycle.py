"""Legacy lifecycle checks (LIFE-*, PING-01): pure functions over handshake exchanges.

The suite (suites/test_lifecycle.py) opens fresh connections, sends the
initialize variants and pings, and hands what came back to these functions;
none does I/O. Kept out of the suite so that the property engine, replay and
unit tests can reach the same judgements. A hang or an exit is seen by the
suite as an exception (NoResponse, ServerGone); it passes the exception's
text in, and the verdict on it is made here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.exchange import Exchange, Received
from harness.protocol.versions import LEGACY_VERSIONS, V3, version_index

INIT_RESULT_KEYS = ("protocolVersion", "capabilities", "serverInfo")
SERVER_INFO_KEYS = ("name", "version")
UNKNOWN_VERSION = "1999-01-01"  # offered in LIFE-03; no revision will ever carry this date
PING_LIMIT = 1.0  # seconds: spec-rules PING-01 says "WARN above 1 s"
ALLOWED_BEFORE_INITIALIZED = (None, "ping")  # LIFE-06: ping (and non-requests) may come early
NEWER_TOOL_FIELDS = ("title", "outputSchema")  # LIFE-08: tool fields added in 2025-06-18


@check("LIFE-01")
def initialize_result(exchange: Exchange) -> list[Finding]:
    """LIFE-01: initialize is answered with a result holding `protocolVersion`,
    `capabilities` and `serverInfo`, and `serverInfo` has string `name` and `version`.

    The per-frame schema check validates the whole InitializeResult too; this
    check names the missing piece in words a server author acts on."""
    result = exchange.result if isinstance(exchange.result, dict) else None
    if result is None:
        return [fail("LIFE-01", "initialize did not return a result", exchange.response)]
    findings = [
        fail("LIFE-01", f"InitializeResult has no {key}", exchange.response)
        for key in INIT_RESULT_KEYS
        if key not in result
    ]
    server_info = result.get("serverInfo")
    if isinstance(server_info, dict) and not all(
        isinstance(server_info.get(k), str) for k in SERVER_INFO_KEYS
    ):
        findings.append(fail("LIFE-01", "serverInfo needs string name and version", exchange.response))
    return findings


@check("LIFE-02")
def version_echoed(exchange: Exchange, requested: str, declared: str) -> list[Finding]:
    """LIFE-02: a requested version the server supports comes back exactly.

    `declared` says what the client declared, because a server that answers
    differently depending on the client's capabilities is the bug to show."""
    got = _protocol_version(exchange)
    if got == requested:
        return []
    return [
        fail(
            "LIFE-02",
            f"asked for {requested} (which it supports) declaring {declared}, got {got!r}",
            exchange.response,
        )
    ]


@check("LIFE-03")
def counter_offer(exchange: Exchange, *, strict: bool, offered: str = UNKNOWN_VERSION) -> list[Finding]:
    """LIFE-03: an unsupported version gets a counter-offer of a version the
    server does support, not an echo and not an error.

    The lifecycle page also shows an error example (-32602 with
    `data.supported`), so an error is WARN by default and FAIL only in strict
    mode; the message says whether the error at least lists the versions."""
    if exchange.ok:
        got = _protocol_version(exchange)
        if got == offered:
            return [
                fail(
                    "LIFE-03",
                    "server echoed an unknown version instead of a counter-offer",
                    exchange.response,
                )
            ]
        if got not in LEGACY_VERSIONS:
            return [
                fail(
                    "LIFE-03",
                    f"counter-offer {got!r} is not a version the server can support",
                    exchange.response,
                )
            ]
        return []
    severity = fail if strict else warn
    data = (exchange.error or {}).get("data")
    lists = isinstance(data, dict) and "supported" in data
    return [
        severity(
            "LIFE-03",
            "unknown version answered with an error instead of a counter-offer"
            + ("" if lists else " (and the error does not list the supported versions)"),
            exchange.response,
        )
    ]


@check("LIFE-04")
def versionless_initialize(exchange: Exchange | None, *, gone: str | None = None) -> list[Finding]:
    """LIFE-04 (derived): initialize without `protocolVersion` gets -32602 or
    is served with a default version; only a hang or an exit fails.

    `exchange` is None when the suite saw no answer; `gone` is the text of the
    ServerGone it caught when the server exited. Anything but -32602 is
    recorded as INFO, since the schema makes the request malformed but the
    spec names no code for it."""
    what = "initialize without protocolVersion"
    if gone is not None:
        return [fail("LIFE-04", f"{what}: the server exited ({gone})")]
    if exchange is None:
        return [fail("LIFE-04", f"{what}: no answer (the server hangs)")]
    if exchange.ok:
        return [info("LIFE-04", f"{what} was accepted with a default version")]
    if exchange.code != -32602:
        return [info("LIFE-04", f"{what} rejected with {exchange.code}, not -32602")]
    return []


@check("LIFE-06")
def early_requests(frames: Iterable[Received]) -> list[Finding]:
    """LIFE-06 (SHOULD NOT): before notifications/initialized the server sends
    no request other than ping; notifications (logging) are allowed."""
    return [
        warn("LIFE-06", f"server sent {message.get('method')} before notifications/initialized", message)
        for message in (frame.message for frame in frames)
        if isinstance(message, dict)
        and "id" in message
        and message.get("method") not in ALLOWED_BEFORE_INITIALIZED
    ]


@check("LIFE-07")
def request_before_initialize(exchange: Exchange) -> list[Finding]:
    """LIFE-07 (INFO): what the server did with a request sent before initialize.

    The spec leaves this undefined, so processing it is recorded, not judged;
    an error of any code is the common answer and says nothing."""
    if exchange.ok:
        return [info("LIFE-07", f"{exchange.method} before initialize was processed")]
    return []


@check("LIFE-07")
def crashed_before_initialize(gone: str) -> list[Finding]:
    """LIFE-07: a request before initialize must not take the server down
    (robustness: the server must still be usable for the handshake after it).
    `gone` is the text of the ServerGone the suite caught."""
    return [fail("LIFE-07", f"a request before initialize crashed the server: {gone}")]


@check("LIFE-08")
def newer_tool_fields(tools: Iterable[Any], negotiated: str) -> list[Finding]:
    """LIFE-08: at a negotiated version before 2025-06-18, tools carry none of the
    fields that revision added (`title`, `outputSchema`).

    WARN, never FAIL: spec-rules says extra fields are not schema-invalid, and
    the catalogue caps LIFE-08 at warn for that reason."""
    if version_index(negotiated) >= version_index(V3):
        return []
    return [
        warn("LIFE-08", f"tool {tool.get('name')!r} has {key}, new in {V3}", tool)
        for tool in tools
        if isinstance(tool, dict)
        for key in NEWER_TOOL_FIELDS
        if key in tool
    ]


@check("PING-01")
def ping_answer(exchange: Exchange, elapsed: float) -> list[Finding]:
    """PING-01: ping gets an empty object, promptly.

    An error is FAIL (ping MUST be answered); a non-empty result and an answer
    slower than `PING_LIMIT` are WARN. `elapsed` is the wall time the suite
    measured around the request, which includes the wait the client saw."""
    findings: list[Finding] = []
    if exchange.ok and exchange.result != {}:
        findings.append(
            warn("PING-01", f"ping result is not an empty object: {exchange.result!r}", exchange.response)
        )
    if not exchange.ok:
        findings.append(fail("PING-01", "ping was answered with an error", exchange.response))
    if elapsed > PING_LIMIT:
        findings.append(warn("PING-01", f"ping took {elapsed:.2f}s (over {PING_LIMIT:g}s)"))
    return findings


@check("PING-01")
def ping_during_initialize(ping: Exchange) -> list[Finding]:
    """PING-01: a ping sent while initialize is still unanswered gets a reply.

    Clients may ping at any time, so a server that holds pings until the
    handshake ends can stall a client; WARN, since the wait is the suite's
    choice of timeout."""
    if ping.response is None:
        return [warn("PING-01", "no reply to a ping sent while initialize was in flight")]
    return []


def _protocol_version(exchange: Exchange) -> Any:
    """The `protocolVersion` of an initialize result, None when there is none to read."""
    result = exchange.result
    return result.get("protocolVersion") if isinstance(result, dict) else None
