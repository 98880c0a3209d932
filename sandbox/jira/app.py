"""Assemble the ASGI app: the gate (log, faults, auth) in front of the routes.

The gate is a plain ASGI wrapper rather than Starlette middleware: it runs on
every request, including the harness's fingerprint polls, and must stay cheap.
Order for API requests: record the request (with its Authorization header,
for the token pass-through check), apply any injected fault, authenticate.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.jira import admin, routes
from sandbox.jira.errors import ApiError
from sandbox.jira.seed import build
from sandbox.jira.store import Store

API_VERSIONS = ("2", "3", "latest")
UNAUTHORIZED = "You are not authenticated. Authentication required to perform this operation."


@dataclass(frozen=True)
class Config:
    """Everything the service is started with (see cli.py)."""

    seed: int
    email: str | None
    token: str
    admin_token: str
    project: str = "SUP"
    canary: str | None = None
    deployment: str = "Cloud"  # or "Server": changes serverInfo, and so the clients' code paths
    count: int = 300
    customer_count: int = 1000


async def _send_json(send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]] = ()) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json;charset=UTF-8"),
                (b"content-length", str(len(data)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class Gate:
    """Logs, faults and authenticates every request before the router sees it."""

    def __init__(self, app: Starlette, config: Config) -> None:
        self.app = app
        self.config = config
        self.state = app.state

    def _account(self, authorization: str | None) -> str | None:
        """The account id for a valid `Basic email:token` or `Bearer token`, else None."""
        if not authorization:
            return None
        scheme, _, value = authorization.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            if hmac.compare_digest(value.encode(), self.config.token.encode()):
                return self.state.store.api_user
            return None
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return None
            email, _, token = decoded.partition(":")
            user = self.state.store.users.get(self.state.store.api_user)
            if (
                user is not None
                and email.lower() == user.email.lower()
                and hmac.compare_digest(token.encode(), self.config.token.encode())
            ):
                return user.account_id
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        if path.startswith("/_sandbox/"):
            expected = f"Bearer {self.config.admin_token}"
            if authorization is None or not hmac.compare_digest(authorization.encode(), expected.encode()):
                await _send_json(send, 401, {"errorMessages": ["sandbox admin token required"], "errors": {}})
                return
            await self.app(scope, receive, send)
            return

        record = self.state.requests.add(
            scope["method"],
            path,
            scope.get("query_string", b"").decode("latin-1"),
            authorization,
            {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]},
        )
        fault = self.state.faults.take(path)
        if fault is not None:
            if fault.delay_ms:
                await asyncio.sleep(fault.delay_ms / 1000)
            if fault.status is not None:
                record.status, record.fault = fault.status, f"status {fault.status}"
                headers = [(b"retry-after", b"1")] if fault.status == 429 else []
                message = (
                    "Rate limit exceeded." if fault.status == 429 else "Internal server error (injected)."
                )
                await _send_json(send, fault.status, {"errorMessages": [message], "errors": {}}, headers)
                return
            record.fault = f"delay {fault.delay_ms} ms"

        account = self._account(authorization)
        if account is None:
            record.status = 401
            await _send_json(
                send,
                401,
                {"errorMessages": [UNAUTHORIZED], "errors": {}},
                [(b"www-authenticate", b'Basic realm="protected-by-jira"')],
            )
            return
        scope.setdefault("state", {})["account_id"] = account

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
            await send(message)

        await self.app(scope, receive, send_wrapper)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"null for uri: {request.url}"
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed for {request.url.path}."
    else:
        message = str(exc.detail)
    return JSONResponse({"errorMessages": [message], "errors": {}}, status_code=exc.status_code)


async def _crash(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"errorMessages": [f"Internal server error: {type(exc).__name__}: {exc}"], "errors": {}},
        status_code=500,
    )


def create_app(config: Config) -> ASGIApp:
    """Seed the store and build the app; the returned callable is what uvicorn serves."""
    seeded = build(
        config.seed, config.email, config.canary, config.project, config.count, config.customer_count
    )
    mounts = [Mount(f"/rest/api/{v}", routes=routes.ROUTES) for v in API_VERSIONS]
    app = Starlette(
        routes=[*mounts, Mount("/_sandbox", routes=admin.ROUTES)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _crash},
    )
    app.state.store = Store(seeded, config.project)
    app.state.requests = admin.RequestLog()
    app.state.faults = admin.Faults()
    app.state.deployment = config.deployment
    return Gate(app, config)
