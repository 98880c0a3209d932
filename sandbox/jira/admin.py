"""The sandbox-only side of the service: request log, fault injection, admin API.

None of this exists in real Jira. The harness uses it to read the state
fingerprint and change log, to reset between tests, to see which
`Authorization` header each upstream request carried (token pass-through
checks), and to make the service fail or slow down on purpose.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.jira.errors import ApiError
from sandbox.jira.render import Renderer

REQUEST_LOG_SIZE = 10_000


@dataclass
class RequestRecord:
    seq: int
    at: float
    method: str
    path: str
    query: str
    authorization: str | None
    status: int | None = None
    fault: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "authorization": self.authorization,
            "headers": self.headers,
            "status": self.status,
            "fault": self.fault,
        }


class RequestLog:
    """The last REQUEST_LOG_SIZE API requests (admin calls excluded), numbered from 1.

    All headers are kept, not only Authorization: a server that forwards its
    client's token may do so under another name (X-Api-Key, Cookie, ...).
    """

    def __init__(self, size: int = REQUEST_LOG_SIZE) -> None:
        self.items: deque[RequestRecord] = deque(maxlen=size)
        self.total = 0

    def add(
        self, method: str, path: str, query: str, authorization: str | None, headers: dict[str, str]
    ) -> RequestRecord:
        self.total += 1
        record = RequestRecord(self.total, time.time(), method, path, query, authorization, headers=headers)
        self.items.append(record)
        return record

    def since(self, seq: int) -> list[dict[str, Any]]:
        return [r.as_json() for r in self.items if r.seq > seq]


@dataclass
class Faults:
    """What to do to matching API requests: answer `status`, and/or wait `delay_ms` first.

    `paths` is a regex searched in the request path (None: every API path);
    `count` limits how many requests are hit (None: until cleared).
    """

    status: int | None = None
    delay_ms: int = 0
    paths: re.Pattern[str] | None = None
    count: int | None = None

    @classmethod
    def from_json(cls, body: Any) -> Faults:
        if not isinstance(body, dict):
            raise ApiError(400, "faults: expected a JSON object")
        status = body.get("status")
        if status is not None and (not isinstance(status, int) or not 400 <= status <= 599):
            raise ApiError(400, "faults: 'status' must be null or an HTTP error status (400-599)")
        delay = body.get("delay_ms") or 0
        if not isinstance(delay, int | float) or delay < 0 or delay > 120_000:
            raise ApiError(400, "faults: 'delay_ms' must be a number between 0 and 120000")
        paths = body.get("paths")
        try:
            pattern = re.compile(paths) if paths else None
        except re.error as exc:
            raise ApiError(400, f"faults: 'paths' is not a valid regex: {exc}") from None
        count = body.get("count")
        if count is not None and (not isinstance(count, int) or count < 0):
            raise ApiError(400, "faults: 'count' must be null or a non-negative integer")
        return cls(status, int(delay), pattern, count)

    @property
    def active(self) -> bool:
        return (self.status is not None or self.delay_ms > 0) and self.count != 0

    def take(self, path: str) -> Faults | None:
        """The fault to apply to `path` (consuming one from `count`), or None."""
        if not self.active or (self.paths is not None and not self.paths.search(path)):
            return None
        if self.count is not None:
            self.count -= 1
        return self

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "delay_ms": self.delay_ms,
            "paths": self.paths.pattern if self.paths else None,
            "count": self.count,
        }


def _state(request: Request) -> Any:
    return request.app.state


async def state(request: Request) -> Response:
    s = _state(request)
    store = s.store
    return JSONResponse(
        {
            "mutations": store.mutations,
            "issues": len(store.issues),
            "visible_issues": len(store.issues) - sum(1 for i in store.issues.values() if i.security),
            "clean": store.mutations == store.clean_at,
            "resets": store.resets,
            "requests": s.requests.total,
            "project": store.project_key,
            "api_user": store.api_user,
            "restricted_key": store.restricted_key,
            "next_key": f"{store.project_key}-{store.next_number}",
            "deployment": s.deployment,
        }
    )


async def changes(request: Request) -> Response:
    raw = request.query_params.get("since", "0")
    if not raw.lstrip("-").isdigit():
        raise ApiError(400, "since: expected an integer")
    store = _state(request).store
    items, truncated = store.changes_since(int(raw))
    return JSONResponse(
        {"since": int(raw), "mutations": store.mutations, "changes": items, "truncated": truncated}
    )


async def reset(request: Request) -> Response:
    started = time.perf_counter()
    store = _state(request).store
    done = store.reset()
    return JSONResponse(
        {"reset": done, "mutations": store.mutations, "ms": round((time.perf_counter() - started) * 1000, 3)}
    )


async def requests(request: Request) -> Response:
    raw = request.query_params.get("since", "0")
    if not raw.isdigit():
        raise ApiError(400, "since: expected a non-negative integer")
    log: RequestLog = _state(request).requests
    return JSONResponse({"total": log.total, "requests": log.since(int(raw))})


async def clear_requests(request: Request) -> Response:
    log: RequestLog = _state(request).requests
    log.items.clear()
    return JSONResponse({"total": log.total})


async def faults(request: Request) -> Response:
    s = _state(request)
    if request.method == "POST":
        raw = await request.body()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise ApiError(400, "faults: body is not JSON") from None
        s.faults = Faults.from_json(body)
    return JSONResponse(s.faults.as_json())


async def issue(request: Request) -> Response:
    """Any issue as v2 JSON, restricted ones included: for checks, never for the server under test."""
    store = _state(request).store
    key = request.path_params["key"].upper()
    found = store.issues.get(key)
    if found is None:
        raise ApiError(404, f"No issue {key}")
    base = f"{request.url.scheme}://{request.url.netloc}"
    return JSONResponse(Renderer(base, "2", store.project_key, store.users).issue(found))


ROUTES = [
    Route("/state", state),
    Route("/changes", changes),
    Route("/reset", reset, methods=["POST"]),
    Route("/requests", requests),
    Route("/requests/clear", clear_requests, methods=["POST"]),
    Route("/faults", faults, methods=["GET", "POST"]),
    Route("/issue/{key}", issue),
]
