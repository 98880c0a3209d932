"""MCP logging: `logging/setLevel` and one `notifications/message` per served request.

Why: a support client shows what the server did for it (which list it served,
which record it read, how a tool call ended) without shell access to the
server's stderr; the audit trail (enterprise/policy.py) stays the operator's
record. Up to 2025-11-25 the client picks a floor per connection with
`logging/setLevel` (the SDK declares `logging` once that handler exists); until
it does, the floor is "warning", and nothing this server logs is that loud, so
a client that never asked sees no log traffic. From 2026-07-28 a request opts
in with `_meta["io.modelcontextprotocol/logLevel"]` and its messages ride that
request's own response stream; the setLevel table plays no part there.

Logging is a courtesy: a message that cannot be sent never fails the request.
The SDK marks its logging API deprecated (the capability is deprecated from
2026-07-28); we still serve the older versions, so the warning is silenced
around our own calls only, to keep the server's stderr for real problems.
"""

from __future__ import annotations

import logging
import time
import warnings
import weakref
from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError
from mcp_types import EmptyResult, SetLevelRequestParams

from .requestctx import connection_of, is_modern

LOGGER = "enterprise-support"
LOG_LEVEL_META = "io.modelcontextprotocol/logLevel"
# The syslog scale of the spec, least severe first.
LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
DEFAULT_LEVEL = "warning"

# What is worth a message, and how loud: listings are routine (debug), reading a
# record or calling a tool is what the user acted on (info).
LOGGED: dict[str, tuple[str, str | None]] = {
    "tools/list": ("debug", None),
    "prompts/list": ("debug", None),
    "resources/list": ("debug", None),
    "resources/templates/list": ("debug", None),
    "resources/read": ("info", "uri"),
    "prompts/get": ("info", "name"),
    "tools/call": ("info", "name"),
}

_server_log = logging.getLogger(__name__)


class LogLevels:
    """The floor each connection chose with logging/setLevel (gone with the connection)."""

    def __init__(self) -> None:
        self._floor: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

    def set(self, connection: Any, level: str) -> None:
        self._floor[connection] = level

    def floor(self, ctx: Any) -> str | None:
        """The least severe level this request may be sent, or None: send nothing.

        At 2026-07-28 that is the request's own opt-in (the SDK has already
        rejected an unrecognised value with -32602); before, the connection's
        setLevel choice, "warning" until it makes one.
        """
        if is_modern(ctx):
            meta = ctx.meta if isinstance(ctx.meta, Mapping) else {}
            requested = meta.get(LOG_LEVEL_META)
            return requested if requested in LEVELS else None
        return self._floor.get(connection_of(ctx), DEFAULT_LEVEL)

    def allows(self, ctx: Any, level: str) -> bool:
        floor = self.floor(ctx)
        return floor is not None and LEVELS.index(level) >= LEVELS.index(floor)


async def send(ctx: Any, level: str, data: Any) -> None:
    """One notifications/message on this request's stream; a failure is only noted on stderr."""
    try:
        with warnings.catch_warnings():  # the warning fires on the call, before any await
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            pending = ctx.session.send_log_message(
                level, data, logger=LOGGER, related_request_id=ctx.request_id
            )
        await pending
    except Exception as exc:  # the client may be gone; the request itself must not suffer
        _server_log.debug("log message not sent: %s: %s", type(exc).__name__, exc)


class LogMiddleware:
    """Server middleware: after each request worth logging, tell the client how it went."""

    def __init__(self, levels: LogLevels) -> None:
        self.levels = levels

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        entry = LOGGED.get(ctx.method)
        if entry is None or ctx.request_id is None:
            return await call_next(ctx)
        level, target = entry
        if not self.levels.allows(ctx, level):
            return await call_next(ctx)
        params = ctx.params if isinstance(ctx.params, Mapping) else {}
        data: dict[str, Any] = {"method": ctx.method}
        if target is not None and isinstance(params.get(target), str):
            data[target] = params[target]
        started = time.perf_counter()
        try:
            result = await call_next(ctx)
        except Exception as exc:
            data["outcome"] = "error"
            # What the client is told anyway (an MCPError's message), else only the kind of failure.
            data["error"] = exc.message if isinstance(exc, MCPError) else type(exc).__name__
            await send(ctx, level, data | {"duration_ms": _since(started)})
            raise
        is_error = isinstance(result, Mapping) and bool(result.get("isError"))
        data["outcome"] = "tool_error" if is_error else "ok"
        await send(ctx, level, data | {"duration_ms": _since(started)})
        return result


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def register(server: MCPServer) -> LogMiddleware:
    """Serve logging/setLevel on `server`; build_server places the returned middleware
    in its chain (outside ProtocolFixes, so refused requests are logged too)."""
    levels = LogLevels()

    async def set_level(ctx: Any, params: SetLevelRequestParams) -> EmptyResult:
        # The SDK validated `level` against the 8 syslog names: a bogus one is -32602 already.
        levels.set(connection_of(ctx), params.level)
        return EmptyResult()

    server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
    return LogMiddleware(levels)
