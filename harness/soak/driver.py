"""Keep a mix of calls in flight on one session for a while, with chaos in the middle.

Why not `Session.request` in a loop: one call at a time never loads a server.
The driver keeps `in_flight` requests outstanding (Session.send_request), takes
replies as they come (Session.wait_until), times each, and switches the
sandbox's chaos on and off. Bounded twice: a number of calls and a number of
seconds. The outage (database, then Jira) begins at `chaos_at`; each phase
lasts at least half of `chaos_for` and ends once the calls it is for met it
(MEET answers from inside it, at most PHASE_CAP times longer); after it the soak
goes on until every kind of backend call that worked before succeeded again,
or the recovery bound passed. So the outage and the recovery are seen, never
cut short by a slow machine, and never unbounded.
Every call has the session's timeout; one that outlives it is recorded as
unanswered and abandoned (the run never hangs).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.protocol.exchange import Exchange
    from harness.protocol.session import Session

RECOVERY_BOUND_S = 5.0  # after the chaos, a backend call must succeed again within this (SLO-02)
MEET = 2  # a chaos phase lasts until each kind of call it is for was answered this often inside it
CHAOS_AT_SHARE = 0.4  # the outage begins at chaos_at, or once this share of max_calls was sent
PHASE_CAP = 4.0  # ... or this many times its least length (a server slow on everything)
# A refusal that says the server is rate limiting (its policy, not the backend): such a reply
# neither proves nor disproves recovery from the outage (SLO-02).
THROTTLED = re.compile(r"rate.?limit|too many requests|\b429\b", re.IGNORECASE)


@dataclass(frozen=True)
class Profile:
    """How long and how hard: the CI profile is seconds; `make soak` sets MCP_SOAK_CALLS/SECONDS."""

    seconds: float = 5.0
    max_calls: int = 200
    in_flight: int = 4
    chaos_at: float = 1.5
    chaos_for: float = 2.0
    sample_every: float = 0.1

    @classmethod
    def from_env(cls) -> Profile:
        """MCP_SOAK_CALLS=N (and MCP_SOAK_SECONDS) scale the profile; unset: the short CI profile."""
        calls = int(os.environ.get("MCP_SOAK_CALLS", "0") or 0)
        if calls <= 0:
            return cls()
        seconds = float(os.environ.get("MCP_SOAK_SECONDS", "0") or 0) or max(10.0, calls / 100)
        return cls(
            seconds=seconds,
            max_calls=calls,
            in_flight=8,
            chaos_at=seconds * 0.4,
            chaos_for=min(5.0, seconds * 0.1),
            sample_every=max(0.1, seconds / 300),
        )


@dataclass(frozen=True)
class Call:
    """One kind of call in the mix; `params(i)` gives the i-th call's params (records vary)."""

    label: str
    method: str
    params: Callable[[int], dict[str, Any]]
    write: bool = False  # a write whose acknowledgement must be durable (SLO-03)
    backend: bool = True  # reaches a backend: counts for the recovery (SLO-02)


@dataclass
class Outcome:
    label: str
    sent: float  # seconds since the soak started
    elapsed: float | None  # None: unanswered within the timeout
    ok: bool  # a result that is not an error result
    write: bool
    backend: bool
    reply: Any = None
    throttled: bool = False  # refused by the server's rate limit: says nothing about the backend


@dataclass
class SoakRun:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    chaos_began: float | None = None  # seconds since the start
    chaos_ended: float | None = None
    second_began: float | None = None  # the database is back, Jira storms

    def unrecovered(self) -> list[str]:
        """Backend calls that succeeded before the outage and not yet after it (a kind the
        server only throttled after it is `unobserved`, not unrecovered)."""
        if self.chaos_began is None or self.chaos_ended is None:
            return []
        began, ended = self.chaos_began, self.chaos_ended
        before = {o.label for o in self.outcomes if o.backend and o.ok and o.sent < began}
        after = {o.label for o in self.outcomes if o.backend and o.ok and o.sent >= ended}
        return sorted(before - after - set(self.unobserved()))

    def unobserved(self) -> list[str]:
        """Backend calls whose every reply after the outage was the server's rate limit:
        whether their backend recovered cannot be seen."""
        if self.chaos_ended is None:
            return []
        after: dict[str, bool] = {}
        for o in self.outcomes:
            if o.backend and o.sent >= self.chaos_ended and o.elapsed is not None:
                after[o.label] = after.get(o.label, True) and o.throttled
        return sorted(label for label, throttled in after.items() if throttled)

    @property
    def answered(self) -> int:
        return sum(1 for o in self.outcomes if o.elapsed is not None)


def run(session: Session, calls: list[Call], profile: Profile, chaos: Any = None) -> SoakRun:
    """Drive the soak; `chaos` has begin()/end() (sandbox.chaos.Chaos) or is None (no outage)."""
    result = SoakRun()
    start = time.monotonic()
    in_flight: dict[int, tuple[Exchange, Call, float]] = {}
    issued = 0
    observers, session.observers = session.observers, []  # the soak is not about side effects
    try:
        while True:
            now = time.monotonic()
            t = now - start
            _schedule(chaos, profile, t, issued, result, calls)
            if _sending(profile, t, issued, result):
                while len(in_flight) < profile.in_flight:
                    call = calls[issued % len(calls)]
                    exchange = session.send_request(call.method, call.params(issued))
                    in_flight[issued] = (exchange, call, t)
                    issued += 1
            elif not in_flight:
                break
            session.wait_until(lambda: any(e.answered for e, _, _ in in_flight.values()), 0.05)
            _harvest(session, in_flight, result)
    finally:
        if chaos is not None:
            chaos.end()
            if result.chaos_began is not None and result.chaos_ended is None:
                result.chaos_ended = time.monotonic() - start
        session.observers = observers
        session.abandon([e for e, _, _ in in_flight.values()])
    result.seconds = round(time.monotonic() - start, 3)
    return result


def _schedule(
    chaos: Any, profile: Profile, t: float, issued: int, result: SoakRun, calls: list[Call]
) -> None:
    """The database outage, then the Jira storm; each phase lasts at least half the chaos window
    and ends once the calls it is for met it (evidence, not a clock), at most PHASE_CAP x longer."""
    if chaos is None or result.chaos_ended is not None:
        return
    half = profile.chaos_for / 2
    if result.chaos_began is None:
        if t >= profile.chaos_at or issued >= CHAOS_AT_SHARE * profile.max_calls:
            chaos.begin()
            result.chaos_began = t
        return
    if result.second_began is None:
        backend = {c.label for c in calls if c.backend}
        if _met(result, backend, result.chaos_began, t, half):
            chaos.next()
            result.second_began = t
        return
    writes = {c.label for c in calls if c.write} or {c.label for c in calls if c.backend}
    if _met(result, writes, result.second_began, t, half):
        chaos.end()
        result.chaos_ended = t


def _met(result: SoakRun, labels: set[str], since: float, t: float, least: float) -> bool:
    """Whether a phase begun at `since` may end: it lasted `least` and each of `labels` was
    answered MEET times from inside it, or it has lasted PHASE_CAP times `least`."""
    if t - since < least:
        return False
    if t - since >= PHASE_CAP * least:
        return True
    seen: dict[str, int] = {}
    for outcome in result.outcomes:
        if outcome.sent >= since and outcome.elapsed is not None:
            seen[outcome.label] = seen.get(outcome.label, 0) + 1
    return all(seen.get(label, 0) >= MEET for label in labels)


def _sending(profile: Profile, t: float, issued: int, result: SoakRun) -> bool:
    """Within the profile's time and count; and, whatever those say, through the whole outage and
    after it until every kind of call worked again or the recovery bound passed (both bounded)."""
    in_budget = t < profile.seconds and issued < profile.max_calls
    if result.chaos_began is not None and result.chaos_ended is None:
        return True  # the outage is on: its phases end on evidence or their cap
    if result.chaos_ended is not None and not in_budget:
        return bool(result.unrecovered()) and t - result.chaos_ended < RECOVERY_BOUND_S
    return in_budget


def _harvest(session: Session, in_flight: dict[int, tuple[Exchange, Call, float]], result: SoakRun) -> None:
    now = time.monotonic()
    for number, (exchange, call, sent) in list(in_flight.items()):
        if exchange.answered:
            ok = exchange.ok and not (
                isinstance(exchange.result, dict) and exchange.result.get("isError") is True
            )
            elapsed = (exchange.received_at or now) - exchange.sent_at
            reply = exchange.result if exchange.ok else exchange.error
            throttled = not ok and throttle_reply(reply)
            result.outcomes.append(
                Outcome(call.label, sent, elapsed, ok, call.write, call.backend, exchange.result, throttled)
            )
            del in_flight[number]
        elif now - exchange.sent_at > session.timeout:
            result.outcomes.append(Outcome(call.label, sent, None, False, call.write, call.backend))
            session.abandon([exchange])
            del in_flight[number]


def throttle_reply(reply: Any) -> bool:
    """An error result or JSON-RPC error whose text says the server is rate limiting."""
    if isinstance(reply, dict):
        texts = [reply.get("message")] + [
            block.get("text") for block in reply.get("content") or [] if isinstance(block, dict)
        ]
        return any(isinstance(text, str) and THROTTLED.search(text) for text in texts)
    return False
