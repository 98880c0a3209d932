"""Request helpers shared by the REST handlers: state, acting user, renderer, bodies, paging.

Kept apart so `meta.py` (catalogue) and `routes.py` (issues, comments, search)
read the request the same way.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.jira import search
from sandbox.jira.errors import ApiError
from sandbox.jira.render import Renderer
from sandbox.jira.store import Store


def store_of(request: Request) -> Store:
    return request.app.state.store


def actor(request: Request) -> str:
    return request.scope["state"]["account_id"]


def renderer(request: Request) -> Renderer:
    version = request.url.path.split("/")[3]
    base = f"{request.url.scheme}://{request.url.netloc}"
    store = store_of(request)
    return Renderer(base, version, store.project_key, store.users)


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


async def body_json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, f"Unexpected character in the request body: {exc}") from None


def int_param(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"The '{name}' parameter must be a number, got '{value}'.") from None
    if number < 0:
        raise ApiError(400, f"The '{name}' parameter must not be negative.")
    return number


def ctx(request: Request) -> search.Context:
    store = store_of(request)
    return search.Context(actor(request), store.users, store.project_key, datetime.now(UTC))


def mutation_path(request: Request) -> tuple[str, str]:
    return request.method, request.url.path
