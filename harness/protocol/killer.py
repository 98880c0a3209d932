"""Which request killed the server: LIVE-02, and the rule of the probe that did it.

A server that exits on a malformed JSON line broke two rules: LIVE-02 (it went
away) and RPC-08 (the line got no -32700 answer). Reporting only LIVE-02 hides
what to fix; blaming the probe on timing alone would be unfair to a server that
dies on its own (on a timer, after its first answer, when a child exits). So
the suspects - the frames sent after the server's last answer - are replayed on
a fresh server, right after a ping it answered: they are the killer only if
that server dies again before answering a ping sent behind them.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.protocol.exchange import NoResponse
from harness.protocol.session import Sent, Session
from harness.transport.base import ServerGone, TransportError

NOT_REPLAYED = ("notifications/initialized",)  # the replay's own handshake sends it


def suspects(session: Session) -> list[Sent]:
    """The frames sent after the server's last answer: what it may have died of."""
    alive_at = session.last_answer_at()
    if alive_at is None:
        return []
    return [
        item
        for item in session.sent
        if item.at >= alive_at
        and not (isinstance(item.message, dict) and item.message.get("method") in NOT_REPLAYED)
    ]


KILLED, SURVIVED, DIED_FIRST = "killed", "survived", "died first"


def replay(connect: Callable[[], Session], version: str, frames: list[Sent], timeout: float) -> str:
    """Replay `frames` on a fresh server right after a ping it answered.

    KILLED: it died before answering a ping sent behind them. SURVIVED: it answered
    (or did not answer) that ping but lives. DIED_FIRST: it died before the frames were
    sent, so it dies on its own and no replay of this run can blame a probe.
    """
    if not frames:
        return SURVIVED
    session = connect()
    sent = False
    try:
        session.open(version)
        session.request(session.harmless_method, timeout=timeout)  # alive right before the suspects
        for item in frames:
            sent = True
            if item.raw is not None:
                session.send_raw(item.raw)
            else:
                session.send_message(item.message)
        session.request(session.harmless_method, timeout=timeout)
    except ServerGone:
        return KILLED if sent else DIED_FIRST
    except (NoResponse, TransportError):
        return SURVIVED
    finally:
        session.close()
    return SURVIVED


def replay_kills(connect: Callable[[], Session], version: str, frames: list[Sent], timeout: float) -> bool:
    """True when a fresh server, alive right before `frames`, dies before answering a ping after them."""
    return replay(connect, version, frames, timeout) == KILLED


def describe(frames: list[Sent], limit: int = 160) -> str:
    """The suspects, short, for a finding's message."""
    parts = []
    for item in frames:
        text = item.raw.decode("utf-8", "replace") if item.raw is not None else repr(item.message)
        parts.append(text if len(text) <= limit else text[:limit] + "...")
    return "; ".join(parts)
