"""What a request's context says about the client behind it: its era, its connection.

Why one place: per-client state (log levels, subscriptions, the list watch) must be
keyed on what outlives one request. The SDK makes a ServerSession per request; the
connection under it is the client's.
"""

from __future__ import annotations

from typing import Any

from .errors import FIRST_MODERN_VERSION


def connection_of(ctx: Any) -> Any:
    """The client's connection under the per-request session (what outlives one request)."""
    session = ctx.session
    return getattr(session, "connection", None) or getattr(session, "_connection", session)


def is_modern(ctx: Any) -> bool:
    """Whether the request speaks 2026-07-28 or later (no handshake, no session state)."""
    return ctx.protocol_version is not None and ctx.protocol_version >= FIRST_MODERN_VERSION
