"""Small builders for the objects checks judge, so each test shows only what matters to it.

Checks take `Exchange`, `Received`, `HttpInfo` and transcript `Frame` values
that the session and transports normally fill in; building them by hand keeps
the unit tests free of I/O. `verdict` turns findings into comparable pairs.
"""

from __future__ import annotations

import json
from typing import Any

from harness.findings import Finding
from harness.protocol.session import Exchange, Received
from harness.transport.base import HttpInfo
from harness.transport.transcript import Frame

V1, V2, V3, V4, V5 = "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"


def verdict(findings: list[Finding]) -> list[tuple[str, str]]:
    """(rule, severity) per finding, in order: what a test asserts on."""
    return [(f.rule, f.severity) for f in findings]


def ok(result: Any, method: str = "tools/call", *, params: Any = None, request_id: Any = 1) -> Exchange:
    """An exchange answered with `result`."""
    return _exchange(method, params, request_id, {"result": result})


def err(
    code: Any, method: str = "tools/call", *, message: str = "refused", data: Any = None, request_id: Any = 1
) -> Exchange:
    """An exchange answered with a JSON-RPC error."""
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return _exchange(method, None, request_id, {"error": error})


def unanswered(method: str = "tools/call", *, failure: str | None = None) -> Exchange:
    """An exchange that never got a JSON-RPC response (optionally a transport failure)."""
    exchange = _exchange(method, None, 1, None)
    exchange.failure = failure
    return exchange


def _exchange(method: str, params: Any, request_id: Any, body: dict[str, Any] | None) -> Exchange:
    request: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        request["params"] = params
    exchange = Exchange(method=method, request=request, sent_at=0.0)
    if body is not None:
        exchange.response = {"jsonrpc": "2.0", "id": request_id, **body}
        exchange.received_at = 0.001
    return exchange


def http(
    status: int = 200,
    body: Any = b"",
    *,
    headers: dict[str, str] | None = None,
    content_type: str | None = None,
    sse: list[Any] | None = None,
    method: str = "POST",
) -> HttpInfo:
    """An HTTP exchange as HttpTransport records it (header names lower-case).

    A non-bytes `body` is sent as JSON; `sse` items become event data (JSON
    unless already a string) and make the content type text/event-stream.
    """
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    if content_type is None:
        content_type = "text/event-stream" if sse is not None else "application/json" if raw else ""
    events = [
        {"event": "message", "id": "", "data": d if isinstance(d, str) else json.dumps(d)} for d in sse or []
    ]
    return HttpInfo(
        method=method,
        status=status,
        headers={k.lower(): v for k, v in (headers or {}).items()},
        content_type=content_type,
        body=raw,
        sse_events=events,
    )


def rpc_result(result: Any = None, request_id: Any = 1) -> dict[str, Any]:
    """A JSON-RPC success response body."""
    return {"jsonrpc": "2.0", "id": request_id, "result": {} if result is None else result}


def rpc_error(code: int, request_id: Any = 1, message: str = "refused") -> dict[str, Any]:
    """A JSON-RPC error response body."""
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def notification(method: str, params: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


def received(message: Any, *, at: float = 0.0, answers: str | None = None) -> Received:
    """A frame the session took from the server at monotonic time `at`."""
    return Received(message=message, channel="stdio", at=at, answers=answers)


def progress(token: Any, value: Any, *, at: float = 0.0) -> Received:
    """A notifications/progress frame for `token`."""
    return received(
        notification("notifications/progress", {"progressToken": token, "progress": value}), at=at
    )


def frame(direction: str, raw: str, *, note: str = "", channel: str = "stdio", message: Any = None) -> Frame:
    """A transcript frame as a transport records it."""
    return Frame(seq=1, t=0.0, direction=direction, channel=channel, raw=raw, message=message, note=note)  # type: ignore[arg-type]
