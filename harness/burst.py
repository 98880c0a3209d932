"""N sessions x M requests in flight, with ids that repeat across sessions (CONC-*).

Why a module of its own: `Session.request` waits for one reply at a time, and
the concurrency oracle needs the opposite: every request of every session sent
before any reply is read, so the server holds them all at once. Built only on
the public Session API (`send_request`, `wait_until`, `request`, `abandon`).

Waiting ends on evidence (docs/waiting.md): when every reply but a few has
come and nothing more arrives for two of the slowest sibling's latencies, a
sentinel (ping / server/discover) goes out on that session. Unanswered, the
sentinel's own NoResponse is the hang (LIVE-01); answered, the missing replies
get the same grace once more, and what is still missing was dropped (CONC-02:
the server is alive and did the same work for their siblings long ago). The
whole burst never waits much longer than twice the timeout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.protocol.exchange import Exchange
    from harness.protocol.session import Session
    from harness.readers import Reader

QUIET_FLOOR = 1.0  # seconds of silence, at least, before the sentinel asks whether the rest is coming
QUIET_ROUND_TRIPS = 2.0  # ... or this many of the slowest answered sibling's latencies
PUMP_SLICE = 0.02  # seconds spent on one session before the next is read (replies wait in inboxes)
ID_BASE = 7000  # every session sends the same ids: ID_BASE + j, strings for odd j


@dataclass
class Probe:
    """One request of the burst: which session sent it, what it asked for, what came back."""

    session: int
    exchange: Exchange
    record: str  # the record's label, "customer 17"
    reader: str  # the request, described
    dropped: bool = False  # never answered, though the server answered a sentinel sent after it


def burst_ids(count: int) -> list[int | str]:
    """The ids every session uses: the same values on each, half integers and half strings."""
    return [ID_BASE + j if j % 2 == 0 else f"conc-{ID_BASE + j}" for j in range(count)]


def fire(
    sessions: list[Session],
    plan: list[list[tuple[Reader, Any, str]]],
    *,
    timeout: float,
) -> list[Probe]:
    """Send `plan[s][j]` = (reader, key, label) on session s with id `burst_ids()[j]`, interleaved
    across sessions, before reading any reply; then wait for all (see the module docstring)."""
    depth = max((len(row) for row in plan), default=0)
    ids = burst_ids(depth)
    probes: list[Probe] = []
    observed = _pause_observers(sessions)
    try:
        for j in range(depth):
            for index, session in enumerate(sessions):
                if j >= len(plan[index]):
                    continue
                reader, key, label = plan[index][j]
                exchange = session.send_request(reader.method, reader.params(key), id=ids[j])
                probes.append(Probe(index, exchange, label, reader.describe()))
    finally:
        for session, (observers, _) in zip(sessions, observed, strict=True):
            session.observers = observers
    for index, (_, note) in enumerate(observed):
        for probe in probes:
            if probe.session == index:
                probe.exchange.before = note.before
    _collect(sessions, probes, timeout)
    return probes


def close_all(sessions: list[Session]) -> None:
    """Close sessions together: each server process gets its exit grace at the same time.

    Why: closed one after another (the fixture's teardown), N stdio servers cost N
    times the grace a server takes to exit on end of input; together, once.
    """
    from concurrent.futures import ThreadPoolExecutor

    if sessions:
        with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
            list(pool.map(lambda session: session.close(), sessions))


def _pause_observers(sessions: list[Session]) -> list[tuple[list[Any], Exchange]]:
    """Observers (the sandbox oracle) see the burst once, before it leaves, not per request.

    Why: a fingerprint per request (milliseconds each) would space the requests out
    until few are in flight together, which is what the burst is for. Every request
    of a session then shares the one note, so a change seen while they were in
    flight is blamed on all of them (as the oracle does for overlapping requests).
    """
    from harness.protocol.exchange import Exchange

    paused = []
    for session in sessions:
        note = Exchange(method="(burst)", request={}, sent_at=time.monotonic())
        for observer in session.observers:
            observer.before(note)
        paused.append((session.observers, note))
        session.observers = []
    return paused


def _collect(sessions: list[Session], probes: list[Probe], timeout: float) -> None:
    """Take replies from every session in turn until all came, or the burst went quiet; then
    ask each session with replies missing for a sentinel and mark what stayed missing dropped."""
    deadline = time.monotonic() + 2 * timeout
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        answered = [p.exchange for p in probes if p.exchange.answered]
        if len(answered) == len(probes):
            return
        now = time.monotonic()
        if len(answered) != last_count:
            last_count, last_change = len(answered), now
        elif answered and now - last_change > _quiet(answered):
            break  # the siblings' work is long done: ask the sentinel whether the rest is coming
        for index, session in enumerate(sessions):
            mine = [p.exchange for p in probes if p.session == index and not p.exchange.answered]
            if mine:
                session.wait_until(lambda mine=mine: all(e.answered for e in mine), PUMP_SLICE)
    sentinels = {}
    for index, session in enumerate(sessions):
        if any(p.session == index and not p.exchange.answered for p in probes):
            sentinels[index] = session.send_request(session.harmless_method, {})
    for index, sentinel in sentinels.items():
        # A hang raises NoResponse here (LIVE-01); an answer makes the silence a drop.
        sessions[index].wait(sentinel, min(timeout, max(1.0, deadline - time.monotonic())))
    # The server is alive: a last grace, in case the work was only slow (answered, it is no drop).
    answered = [p.exchange for p in probes if p.exchange.answered]
    grace_until = time.monotonic() + min(_quiet(answered) if answered else QUIET_FLOOR, timeout)
    for index, session in enumerate(sessions):
        mine = [p.exchange for p in probes if p.session == index and not p.exchange.answered]
        if mine:
            session.wait_until(
                lambda mine=mine: all(e.answered for e in mine), grace_until - time.monotonic()
            )
    for index, session in enumerate(sessions):
        missing = [p for p in probes if p.session == index and not p.exchange.answered]
        for probe in missing:
            probe.dropped = True
        session.abandon([p.exchange for p in missing])


def _quiet(answered: list[Exchange]) -> float:
    slowest = max((e.elapsed or 0.0) for e in answered)
    return max(QUIET_FLOOR, QUIET_ROUND_TRIPS * slowest)
