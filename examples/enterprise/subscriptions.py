"""Legacy `resources/subscribe` and `resources/unsubscribe` (2024-11-05 to 2025-11-25).

Why: a client of the handshake era asks to be told when a resource it shows
changes; the SDK declares `resources.subscribe` once these handlers exist (at
2026-07-28 subscriptions are `subscriptions/listen`, which the SDK serves itself).
Subscriptions are kept per client connection and URI. What this server lists changes by
addition only (a new knowledge-base article: `notifications/resources/list_changed`,
enterprise/listwatch.py); customers and articles are never edited through it, so
no `notifications/resources/updated` is due, and none is ever sent after an
unsubscribe (RES-05).
"""

from __future__ import annotations

import weakref
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import EmptyResult, SubscribeRequestParams, UnsubscribeRequestParams

from .errors import INVALID_PARAMS
from .requestctx import connection_of

MAX_PER_SESSION = 1000  # a client cannot grow the table without bound


class Subscriptions:
    """URIs each client subscribed to, per connection (gone with the connection).

    Keyed on the connection, not the per-request session: an unsubscribe comes in
    another request than its subscribe (enterprise/requestctx.py)."""

    def __init__(self) -> None:
        self.by_client: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()

    def add(self, ctx: Any, uri: str) -> None:
        client = connection_of(ctx)
        uris = self.by_client.get(client)
        if uris is None:
            uris = self.by_client[client] = set()
        if len(uris) >= MAX_PER_SESSION and uri not in uris:
            raise MCPError(
                code=INVALID_PARAMS, message=f"at most {MAX_PER_SESSION} subscriptions per session"
            )
        uris.add(uri)

    def remove(self, ctx: Any, uri: str) -> None:
        self.by_client.get(connection_of(ctx), set()).discard(uri)


def register(server: MCPServer) -> Subscriptions:
    """Serve resources/subscribe and resources/unsubscribe on `server` (called by build_server)."""
    table = Subscriptions()
    lowlevel = server._lowlevel_server

    async def subscribe(ctx: Any, params: SubscribeRequestParams) -> EmptyResult:
        table.add(ctx, str(params.uri))
        return EmptyResult()

    async def unsubscribe(ctx: Any, params: UnsubscribeRequestParams) -> EmptyResult:
        table.remove(ctx, str(params.uri))
        return EmptyResult()

    lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, unsubscribe)
    return table
