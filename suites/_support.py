"""Small helpers the suites share: harmless requests and waiting for replies.

Suites drive sessions and hand findings to `verdict`; nothing here parses bytes.
"""

from __future__ import annotations

from typing import Any

from harness.session import Exchange, Session


def harmless_method(session: Session) -> str:
    """A request every server must answer: ping (legacy) or server/discover (modern)."""
    return "server/discover" if session.modern else "ping"


def harmless(session: Session, *, id: Any = None, timeout: float | None = None) -> Exchange:
    return session.request(harmless_method(session), {}, id=id, timeout=timeout)


def raw_request(session: Session, message: dict[str, Any]) -> dict[str, Any]:
    """Add the modern `_meta` to a hand-built request so only the intended defect remains."""
    if session.modern:
        params = message.get("params")
        if params is None or isinstance(params, dict):
            message = {**message, "params": session.with_meta(params)}
    return message


def reply_to(session: Session, ids: tuple[Any, ...], timeout: float) -> dict[str, Any] | None:
    """The first response carrying one of `ids` (None matches a missing or null id)."""
    import time

    deadline = time.monotonic() + timeout
    start = len(session.received)
    while True:
        for item in session.received[start:]:
            message = item.message
            if isinstance(message, dict) and "method" not in message and message.get("id") in ids:
                if type(message.get("id")) in {type(i) for i in ids}:
                    return message
        start = len(session.received)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        session.pump(remaining)


def replies_without_request(session: Session, since: int) -> list[dict[str, Any]]:
    """Responses (not requests/notifications) since `since` that answer nothing we sent."""
    return [
        r.message
        for r in session.received[since:]
        if isinstance(r.message, dict) and "method" not in r.message and r.answers is None
    ]
