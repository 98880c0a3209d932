"""Tell each client when the resource list changed (`resources.listChanged: true`).

`resources/list` is the knowledge base, and people publish articles while
clients hold the list. The server learns of that the simple way: on a request,
at most every `interval` seconds, it reads the knowledge base's signature
(count, newest id, last update); a session that had seen another signature
gets `notifications/resources/list_changed` before its request is served.
Handshake era only: at 2026-07-28 change notifications ride
`subscriptions/listen`, which this server does not serve (the SDK then reports
`listChanged: false` itself).
"""

from __future__ import annotations

import time
import weakref
from typing import Any

import anyio
import psycopg

from .config import Settings
from .db import read_only
from .requestctx import connection_of, is_modern

SIGNATURE_SQL = "SELECT count(*), coalesce(max(id), 0), max(updated_at) FROM kb_articles"


class ListWatch:
    """Server middleware: one list_changed per session per change of the knowledge base."""

    def __init__(self, settings: Settings, interval: float = 0.5) -> None:
        self.settings = settings
        self.interval = interval
        self._lock = anyio.Lock()
        self._checked_at = float("-inf")
        self._signature: tuple[Any, ...] | None = None
        self._seen: weakref.WeakKeyDictionary[Any, tuple[Any, ...]] = weakref.WeakKeyDictionary()

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        if is_modern(ctx) or not self.settings.vector_url or ctx.request_id is None:
            return await call_next(ctx)
        signature = await self._current()
        client = connection_of(ctx)
        if signature is not None:
            seen = self._seen.get(client)
            self._seen[client] = signature
            if seen is not None and seen != signature and ctx.method != "initialize":
                await ctx.session.send_resource_list_changed()
        return await call_next(ctx)

    async def _current(self) -> tuple[Any, ...] | None:
        """The knowledge base's signature, read at most every `interval` seconds (None: unreadable)."""
        async with self._lock:
            if time.monotonic() - self._checked_at >= self.interval:
                self._checked_at = time.monotonic()
                try:
                    async with read_only(self.settings.vector_url, 2000) as conn:
                        row = await (await conn.execute(SIGNATURE_SQL)).fetchone()
                    self._signature = tuple(row.values()) if row else None
                except (psycopg.Error, OSError):
                    self._signature = None  # the watch never fails a request; the request will say why
            return self._signature
