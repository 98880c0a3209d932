"""Streamable HTTP transport (starlette + uvicorn, 127.0.0.1 only), both eras.

Legacy (2025-03-26..2025-11-25): `initialize` opens a session (`Mcp-Session-Id`),
later POSTs must name it (400 without, 404 for unknown or ended ones), DELETE ends
it, GET is 405 (we offer no standalone stream). Modern (2026-07-28): POST only, no
sessions, and the headers must agree with the body (`MCP-Protocol-Version`,
`Mcp-Method`, `Mcp-Name`), else 400 + -32020.

A request is answered with one JSON object unless it produces notifications on the
way (progress, logs) or several messages: then the reply is an SSE stream that ends
with the response. A modern SSE stream closed early cancels the request (CANC-03);
a legacy one does not.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import secrets
import socket
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from .core import Conn, Server, encode
from .rpc import (
    HEADER_MISMATCH,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    UNSUPPORTED_VERSION,
    Ctx,
    RpcError,
)
from .versions import LEGACY, META_CAPS, META_VERSION, V3

_ALLOWED_HOSTS = {"localhost", "127.0.0.1", "::1"}
_NAMED = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}


def _error_body(code: int, message: str, id_: Any = None, data: Any = None) -> dict:
    err = RpcError(code, message, data).as_error()
    return {"jsonrpc": "2.0", "id": id_, "error": err}


def _request_id(msg: Any) -> Any:
    """The id of a parsed request, echoed in HTTP-level refusals (None when unusable)."""
    id_ = msg.get("id") if isinstance(msg, dict) else None
    return id_ if isinstance(id_, (str, int)) and not isinstance(id_, bool) else None


def _is_request(msg: Any) -> bool:
    """A JSON-RPC request or notification by shape (batches are judged elsewhere)."""
    if isinstance(msg, list):
        return True
    return isinstance(msg, dict) and msg.get("jsonrpc") == "2.0" and isinstance(msg.get("method"), str)


def decode_header_value(value: str) -> str:
    """HTTP-M04: `=?base64?<b64>?=` carries non-ASCII values; anything else is literal."""
    if value.startswith("=?base64?") and value.endswith("?=") and len(value) >= 11:
        try:
            return base64.b64decode(value[9:-2], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return value
    return value


class HttpApp:
    """The endpoint plus the session table of the legacy era."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.faults = server.faults
        self.sessions: dict[str, Conn] = {}
        self.ended: set[str] = set()
        self.app = Starlette(routes=[Route("/mcp", self.endpoint, methods=["GET", "POST", "DELETE"])])

    # ------------------------------------------------------------------ responses

    def json(
        self, msg: Any, status: int = 200, headers: dict[str, str] | None = None, version: str | None = None
    ) -> Response:
        media = "text/plain" if self.faults.on("HTTP-04-text-plain", version) else "application/json"
        return Response(encode(msg), status_code=status, media_type=media, headers=headers)

    def accepted(self, version: str | None) -> Response:
        """HTTP-03: a notification or response that we accept gets 202 and no body."""
        if self.faults.on("HTTP-03-notification-200", version):
            return Response(b"", status_code=200)
        if self.faults.on("HTTP-03-notification-body", version):
            return Response(b"{}", status_code=202, media_type="application/json")
        return Response(b"", status_code=202)

    # ------------------------------------------------------------------ routing

    async def endpoint(self, request: Request) -> Response:
        origin = request.headers.get("origin")
        foreign = origin is not None and not self._origin_ok(origin)
        if foreign and not self.faults.on("HTTP-01-no-origin-check"):
            return self.json(_error_body(INVALID_REQUEST, "Forbidden: Origin not allowed"), 403)
        session_id = request.headers.get("mcp-session-id")
        if request.method == "GET":
            conn = self.sessions.get(session_id or "")
            if self.faults.on("HTTP-L01-get-404", conn.version if conn else None):
                return Response(b"", status_code=404)
            if self.faults.on("HTTP-L02-response-on-get", conn.version if conn else None):
                stray = {"jsonrpc": "2.0", "id": "stray-get-1", "result": {}}
                return Response(_sse(stray), media_type="text/event-stream")
            return Response(b"", status_code=405, headers={"Allow": "POST, DELETE"})
        if request.method == "DELETE":
            return self._delete(session_id)
        body = await request.body()
        try:
            msg = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            conn = self.sessions.get(session_id or "") or Conn(transport="http")
            out = self.server.parse_error(conn)
            return self.json(out[0], 400) if out else self.accepted(conn.version)
        known = session_id is not None and (session_id in self.sessions or session_id in self.ended)
        modern = self.server.modern and self._looks_modern(request, msg)
        if session_id is not None and (known or not modern):  # HTTP-M01: V5 ignores the header
            return await self._legacy_session(request, session_id, msg, body)
        if isinstance(msg, dict) and msg.get("method") == "initialize":
            return await self._initialize(body)
        if modern:
            return await self._modern(request, msg, body)
        if not _is_request(msg):  # not a request at all: -32600 from the core (RPC-09), status 400
            conn = Conn(transport="http")
            out = await asyncio.to_thread(self.server.handle_frame, body, conn, lambda m: None)
            return self.json(out[0], 400) if out else self.accepted(None)
        if self.faults.on("HTTP-L05-no-session-ok", self.server.legacy[-1] if self.server.legacy else None):
            conn = Conn(transport="http", version=self.server.legacy[-1], initialized=True)
            return await self._legacy(conn, msg, body)
        if self.server.modern:
            why = (
                "Missing Mcp-Session-Id (legacy) or params._meta with the protocol version and client "
                "capabilities (2026-07-28)"
            )
            return self.json(_error_body(INVALID_PARAMS, why, _request_id(msg)), 400)
        return self.json(_error_body(INVALID_REQUEST, "Missing Mcp-Session-Id header", _request_id(msg)), 400)

    @staticmethod
    def _origin_ok(origin: str) -> bool:
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in _ALLOWED_HOSTS

    def _looks_modern(self, request: Request, msg: Any) -> bool:
        header = request.headers.get("mcp-protocol-version")
        if header is not None and header not in LEGACY:
            return True
        if "mcp-method" in request.headers:
            return True
        params = msg.get("params") if isinstance(msg, dict) else None
        meta = params.get("_meta") if isinstance(params, dict) else None
        return isinstance(meta, dict) and (META_VERSION in meta or META_CAPS in meta)

    def _delete(self, session_id: str | None) -> Response:
        if session_id is None:
            return Response(b"", status_code=405, headers={"Allow": "POST"})
        conn = self.sessions.get(session_id)
        if conn is None:
            return Response(b"", status_code=404)
        if not self.faults.on("HTTP-L06-ended-session-alive", conn.version):
            del self.sessions[session_id]
            self.ended.add(session_id)
            conn.closed = True
            with conn.lock:
                for event in conn.inflight.values():
                    event.set()
        return Response(b"", status_code=200)

    # ------------------------------------------------------------------ legacy era

    def _new_session_id(self, version: str | None) -> str:
        if self.faults.on("HTTP-L04-bad-session-chars", version):
            return "bad session " + secrets.token_hex(8)
        return secrets.token_urlsafe(24)

    async def _initialize(self, body: bytes) -> Response:
        conn = Conn(transport="http")
        out = await asyncio.to_thread(self.server.handle_frame, body, conn, lambda m: None)
        if not out:  # LIFE-04-hang-without-version: hang this request as stdio would
            await asyncio.Event().wait()
        headers = None
        if conn.version is not None and "result" in out[0]:
            sid = self._new_session_id(conn.version)
            self.sessions[sid] = conn
            headers = {"Mcp-Session-Id": sid}
        return self.json(out[0], 200, headers, conn.version)

    async def _legacy_session(self, request: Request, session_id: str, msg: Any, body: bytes) -> Response:
        conn = self.sessions.get(session_id)
        if conn is None:
            never_issued = session_id not in self.ended
            if never_issued and self.faults.on("HTTP-L06-unknown-session-400"):
                return self.json(_error_body(INVALID_REQUEST, "Bad session id", _request_id(msg)), 400)
            return self.json(_error_body(INVALID_REQUEST, "Session not found", _request_id(msg)), 404)
        header = request.headers.get("mcp-protocol-version")
        if (
            conn.version
            and conn.version >= V3
            and header is not None
            and header != conn.version
            and not self.faults.on("HTTP-L08-ignore-version-header", conn.version)
        ):
            why = f"Bad MCP-Protocol-Version header: {header!r}"
            return self.json(_error_body(INVALID_REQUEST, why, _request_id(msg)), 400)
        return await self._legacy(conn, msg, body)

    async def _legacy(self, conn: Conn, msg: Any, body: bytes) -> Response:
        version = conn.version
        if isinstance(msg, list):
            out = await asyncio.to_thread(self.server.handle_frame, body, conn, lambda m: None)
            if not out:
                return self.accepted(version)
            rejected = isinstance(out[0], dict) and "error" in out[0] and out[0].get("id") is None
            return self.json(out[0], 400 if rejected else 200, version=version)
        if not (isinstance(msg, dict) and "id" in msg and "method" in msg) or not _is_request(msg):
            # not a well-formed request (no method, a non-string method, jsonrpc != 2.0): -32600 first
            out = await asyncio.to_thread(self.server.handle_frame, body, conn, lambda m: None)
            if not out:
                return self.accepted(version)
            error = out[0].get("error") if isinstance(out[0], dict) else None
            bad = isinstance(error, dict) and error.get("code") == INVALID_REQUEST
            bad = bad and out[0].get("id") is None
            return self.json(out[0], 400 if bad else 200, version=version)
        return await self._run(conn, body, version, modern=False)

    # ------------------------------------------------------------------ modern era

    async def _modern(self, request: Request, msg: Any, body: bytes) -> Response:
        version = self.server.modern[-1]
        on = lambda name: self.faults.on(name, version)  # noqa: E731
        headers = {"Mcp-Session-Id": secrets.token_urlsafe(16)} if on("HTTP-M01-sets-session-id") else None

        def fail(status: int, code: int, message: str, data: Any = None) -> Response:
            id_ = msg.get("id") if isinstance(msg, dict) else None
            return self.json(_error_body(code, message, id_, data), status, headers, version)

        if isinstance(msg, list):
            return fail(400, INVALID_REQUEST, "Batches are not supported")
        conn = Conn(transport="http")
        if not (isinstance(msg, dict) and "id" in msg and "method" in msg) or not _is_request(msg):
            # not a well-formed request (no method, a non-string method, jsonrpc != 2.0): -32600 first
            out = await asyncio.to_thread(self.server.handle_frame, body, conn, lambda m: None)
            return self.json(out[0], 400, headers, version) if out else self.accepted(version)
        params = msg.get("params") if isinstance(msg.get("params"), dict) else {}
        ctx = Ctx(
            version=version, modern=True, faults=self.faults, emit=lambda m: None, state=self.server.state
        )
        try:
            self.server.check_modern_meta(params, ctx)
        except RpcError as err:
            status = 200 if err.code == INVALID_PARAMS and on("HTTP-M06-missing-meta-200") else 400
            return fail(status, err.code, err.message, err.data)
        meta = params.get("_meta") if isinstance(params.get("_meta"), dict) else {}
        mismatch = self._header_mismatch(request, msg, params, meta, on)
        if mismatch:
            return fail(400, HEADER_MISMATCH, mismatch)
        return await self._run(conn, body, version, modern=True, headers=headers)

    def _header_mismatch(self, request: Request, msg: dict, params: dict, meta: dict, on: Any) -> str | None:
        """HTTP-M02/M03/M04: the routing headers must repeat what the body says."""
        body_version = meta.get(META_VERSION)  # absent only when VER-01-no-meta-ok let it through
        header_version = request.headers.get("mcp-protocol-version")
        ignore_version = on("HTTP-M02-ignore-header-mismatch")
        if body_version is not None and header_version != body_version and not ignore_version:
            return "MCP-Protocol-Version header does not match params._meta"
        if request.headers.get("mcp-method") != msg.get("method") and not on("HTTP-M03-ignore-mcp-method"):
            return "Mcp-Method header does not match the method"
        field = _NAMED.get(msg.get("method", ""))
        if field is not None and not isinstance(params.get(field), str):
            field = None  # malformed params: the method answers -32602 (RPC-11), no header to compare
        if field is not None and not on("HTTP-M03-ignore-mcp-name"):
            raw = request.headers.get("mcp-name")
            value = raw if raw is None or on("HTTP-M04-no-base64-decode") else decode_header_value(raw)
            if value != params.get(field):
                return f"Mcp-Name header does not match params.{field}"
        return None

    # ------------------------------------------------------------------ running a request

    async def _run(
        self,
        conn: Conn,
        body: bytes,
        version: str | None,
        *,
        modern: bool,
        headers: dict[str, str] | None = None,
    ) -> Response:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def emit(msg: dict) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, ("msg", msg))

        work = self.server.accept(body, conn, emit)

        def worker() -> None:
            try:
                out = work()
            except Exception as exc:  # never leave the client hanging on a bug of ours
                out = [_error_body(-32603, f"Internal error: {type(exc).__name__}")]
            loop.call_soon_threadsafe(queue.put_nowait, ("done", out))

        threading.Thread(target=worker, daemon=True).start()
        kind, payload = await queue.get()
        if kind == "done" and len(payload) == 1:
            msg = payload[0]
            status = 200
            if modern and isinstance(msg, dict) and "error" in msg:
                code = msg["error"].get("code")
                if code == METHOD_NOT_FOUND and not self.faults.on("HTTP-M06-unknown-method-200", version):
                    status = 404
                elif code in (UNSUPPORTED_VERSION, HEADER_MISMATCH):
                    status = 400
            if modern and "result" in msg and self.faults.on("HTTP-06-sse-without-accel-buffering", version):
                return Response(_sse(msg), media_type="text/event-stream", headers=headers)
            return self.json(msg, status, headers, version)
        first = [payload] if kind == "msg" else list(payload)
        finished = kind == "done"

        async def stream() -> AsyncIterator[bytes]:
            done = finished
            try:
                for msg in first:
                    yield _sse(msg)
                while not done:
                    kind, payload = await queue.get()
                    if kind == "done":
                        done = True
                        for msg in payload:
                            yield _sse(msg)
                    else:
                        yield _sse(payload)
            finally:
                if not done and modern:  # CANC-03: on 2026-07-28 closing the stream cancels
                    with conn.lock:
                        for event in conn.inflight.values():
                            event.set()

        sse_headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **(headers or {})}
        if modern and self.faults.on("HTTP-06-sse-without-accel-buffering", version):
            del sse_headers["X-Accel-Buffering"]
        return StreamingResponse(stream(), media_type="text/event-stream", headers=sse_headers)


def _sse(msg: Any) -> bytes:
    return f"event: message\ndata: {encode(msg)}\n\n".encode()


def serve_http(server: Server, port: int = 0) -> int:
    """Bind 127.0.0.1 first, announce the URL on stderr, then let uvicorn serve the socket."""
    # proto given: asyncio turns Nagle off only on IPPROTO_TCP sockets (else 40 ms per reply)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    actual = sock.getsockname()[1]
    app = HttpApp(server)
    config = uvicorn.Config(
        app.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1, access_log=False
    )
    faults = ",".join(sorted(server.faults.names)) or "-"
    print(f"spec-server: http; versions={','.join(server.versions)} faults={faults}", file=sys.stderr)
    print(f"LISTENING http://127.0.0.1:{actual}/mcp", file=sys.stderr, flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
