"""An ASGI gate for what the SDK's Streamable HTTP transport gets wrong about request ids.

mcp 2.3.0 reads a POSTed `{"id": null, "method": ...}` as a notification and
answers 202 with no body: the client that sent a request (a broken one, but a
request) never gets an answer (harness LIVE-02 over HTTP), where JSON-RPC says
an invalid request gets -32600 (RPC-07). This gate answers such a body itself,
with HTTP 400 and -32600, before the SDK sees it; every other request passes
through unchanged (its body replayed as it came).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
MAX_INSPECTED = 1 << 20  # a larger body is the SDK's to refuse; the gate only reads what it can judge


def null_id_request(body: bytes) -> bool:
    """A single JSON-RPC request whose id is null (a notification has no `id` member at all)."""
    if len(body) > MAX_INSPECTED:
        return False
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(message, dict) and "method" in message and "id" in message and message["id"] is None


def reject_null_ids(app: App) -> App:
    """`app` behind the gate (compose with the OAuth gate: enterprise_server.py)."""

    async def gate(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("method") != "POST":
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message.get("type") != "http.request":
                return  # the client went away before the body was complete
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if null_id_request(body):
            error = {
                "jsonrpc": "2.0",
                "id": None,
                "error": {"code": -32600, "message": "Invalid Request: id null"},
            }
            payload = json.dumps(error).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": payload})
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: disconnects, as the server would see them
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, replay, send)

    return gate
