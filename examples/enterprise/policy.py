"""Who is calling, may they, and how often: scopes, rate limit and the audit log.

Tools open `guard(ctx, tool, scope)`; a refusal is a `ToolError`, which the SDK
turns into an `isError` result the model can read, instead of a protocol error
or a crash. The audit log is a server middleware, so it also sees calls the
SDK rejects before any tool runs (unknown tool, invalid arguments).
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

from .auth import SCOPE_ALL, SCOPE_PII

STDIO_PRINCIPAL = "stdio"

# ------------------------------------------------------------------ identity


def access_token(request: Any) -> AccessToken | None:
    """The token the bearer middleware verified for this HTTP request, if any.

    Read from the SDK's auth contextvar, else from the Starlette request's
    `scope["user"]` (the contextvar does not cross every task boundary). Never
    from raw headers: those are the caller's claims, not verified identity.
    """
    token = get_access_token()
    if token is not None:
        return token
    scope = getattr(request, "scope", None)
    user = scope.get("user") if isinstance(scope, Mapping) else None
    return getattr(user, "access_token", None)


@dataclass(frozen=True)
class Principal:
    name: str
    scopes: frozenset[str] | None  # None: no auth configured (stdio, or HTTP without tokens)
    email: str | None = None  # a user token's `email` claim: the user's tenant (their customer record)

    def allows(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes

    @property
    def tenant_bound(self) -> bool:
        """A user's token without the staff scope: it may see its own customer's records only."""
        return self.email is not None and not self.allows(SCOPE_ALL)

    @property
    def sees_pii(self) -> bool:
        return self.allows(SCOPE_PII)


def principal(request: Any, auth_enabled: bool) -> Principal:
    token = access_token(request)
    if token is not None:
        claims = getattr(token, "claims", None) or {}
        email = claims.get("email") if isinstance(claims.get("email"), str) else None
        name = f"user:{email}" if email else f"client:{token.client_id}"
        return Principal(name, frozenset(token.scopes), email)
    if request is None:
        return Principal(STDIO_PRINCIPAL, None)
    # HTTP: without auth everyone is one anonymous client; with auth this cannot happen
    # (the transport refused the request with 401), so deny rather than trust.
    return Principal("anonymous", frozenset() if auth_enabled else None)


# ------------------------------------------------------------------ rate limit


@dataclass
class TokenBucket:
    capacity: float
    refill_per_s: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token; returns 0 on success, else the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.refill_per_s)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.refill_per_s if self.refill_per_s > 0 else float("inf")


@dataclass
class RateLimiter:
    """One token bucket per principal: `capacity` calls at once, refilled over `period_s`."""

    capacity: int
    period_s: float
    _buckets: dict[str, TokenBucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def parse(cls, spec: str) -> RateLimiter:
        """`"30/60"`: 30 calls per 60 seconds (burst 30). `"0"` or empty disables."""
        calls, _, seconds = spec.partition("/")
        return cls(int(calls), float(seconds or 60))

    def check(self, key: str) -> float:
        if self.capacity <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(
                    self.capacity, self.capacity / self.period_s, float(self.capacity), now
                )
            return bucket.take(now)


# ------------------------------------------------------------------ audit

_SECRET_KEY = re.compile(r"pass(word)?|secret|token|api[_-]?key|authorization|credential", re.I)
_SECRET_VALUE = [
    (re.compile(r"(?i)(bearer\s+)[^\s'\"]+"), r"\1***"),
    (re.compile(r"sk_(live|test)_[A-Za-z0-9]+"), "sk_***"),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
    (re.compile(r"(?i)(password\s*[=:]\s*)\S+"), r"\1***"),
]


def mask(value: Any, key: str = "") -> Any:
    """Arguments as logged: secret-named keys hidden, secret-looking text redacted."""
    if key and _SECRET_KEY.search(key):
        return "***"
    if isinstance(value, Mapping):
        return {str(k): mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    if isinstance(value, str):
        for pattern, replacement in _SECRET_VALUE:
            value = pattern.sub(replacement, value)
    return value


class AuditLog:
    """One JSON line per tool call, to stderr or an append-only file."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stderr
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | None) -> AuditLog:
        return cls(open(path, "a", encoding="utf-8", buffering=1) if path else None)

    def write(self, **record: Any) -> None:
        record = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": "tool_call", **record}
        line = json.dumps(record, default=str, separators=(",", ":"))
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


# The guard notes why it refused; the audit middleware reads it (a dict, so it is shared
# even if the tool ran in a copied context).
_outcome_note: ContextVar[dict[str, str] | None] = ContextVar("enterprise_outcome_note", default=None)


# Every access to data is audited: method -> (the event logged, the param that names the target).
AUDITED = {
    "tools/call": ("tool_call", "name"),
    "resources/read": ("resource_read", "uri"),
    "prompts/get": ("prompt_get", "name"),
}


class AuditMiddleware:
    """Server middleware: times every tool call, resource read and prompt, and logs who, what, outcome."""

    def __init__(self, log: AuditLog, auth_enabled: bool) -> None:
        self.log = log
        self.auth_enabled = auth_enabled

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        if ctx.method not in AUDITED or ctx.request_id is None:
            return await call_next(ctx)
        event, target = AUDITED[ctx.method]
        params = ctx.params if isinstance(ctx.params, Mapping) else {}
        note: dict[str, str] = {}
        reset = _outcome_note.set(note)
        started = time.perf_counter()
        outcome, detail = "error", ""
        try:
            result = await call_next(ctx)
            is_error = isinstance(result, Mapping) and bool(result.get("isError"))
            outcome = note.get("outcome") or ("tool_error" if is_error else "ok")
            if is_error:
                detail = _first_text(result)
            return result
        except Exception as exc:
            outcome, detail = "protocol_error", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            _outcome_note.reset(reset)
            who = principal(ctx.request, self.auth_enabled).name
            self.log.write(
                event=event,
                who=who,
                **{"tool" if event == "tool_call" else target: params.get(target)},
                arguments=mask(params.get("arguments")),
                outcome=outcome,
                detail=mask(detail[:300]) if detail else None,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


def _first_text(result: Mapping[str, Any]) -> str:
    for block in result.get("content") or []:
        if isinstance(block, Mapping) and block.get("type") == "text":
            return str(block.get("text", ""))
    return ""


# ------------------------------------------------------------------ the guard


@dataclass
class Policy:
    limiter: RateLimiter
    auth_enabled: bool

    def who(self, ctx: Any) -> Principal:
        """The caller of this request (resources and prompts have no guard of their own)."""
        return principal(ctx.request_context.request, self.auth_enabled)

    @asynccontextmanager
    async def guard(self, ctx: Any, tool: str, scope: str) -> AsyncIterator[Principal]:
        """Check scope and rate limit for `tool`, then run the body."""
        request = ctx.request_context.request
        who = principal(request, self.auth_enabled)
        note = _outcome_note.get()
        if not who.allows(scope):
            if note is not None:
                note["outcome"] = "forbidden"
            raise ToolError(f"{tool} needs the '{scope}' scope, which this token does not have")
        wait = self.limiter.check(who.name)
        if wait:
            if note is not None:
                note["outcome"] = "rate_limited"
            raise ToolError(
                f"rate limit reached ({self.limiter.capacity} calls per {self.limiter.period_s:g}s); "
                f"retry in {wait:.1f}s"
            )
        yield who
