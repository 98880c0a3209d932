"""The property-based engine: a Hypothesis state machine over a live MCP session.

Why a state machine: many protocol slips only show in a sequence (a reply to a
notification is only visible when the next request is answered; a crash on an
unknown method only when the next request finds the process gone). Hypothesis
draws sequences of steps over the whole surface, checks the invariants after
every step, and, when one breaks, shrinks the sequence to the fewest steps that
still break it. The frames of that minimal example become the failure's
evidence and a replayable transcript.

Layering: the steps send frames through `Wire`, which waits for each answer
(with a timeout) and judges it with the existing checks (`harness.checks`):
nothing here re-implements a check. `harness.property.replay` drives the same `Wire`
with the frames of a saved transcript, so a replay judges exactly as the run
that found the failure did.

Only FAIL findings break a property. WARN and INFO (wrong error code, SHOULD
rules) belong to the fixed suites, which grade them; a property that failed on
them would turn a warning into a failure.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from harness.checks.jsonrpc import expect_error
from harness.checks.registry import judge_of
from harness.checks.resources import template_variables, traversal
from harness.checks.tools import list_stable, unknown_tool
from harness.findings import Finding, fail
from harness.property import strategies as gen
from harness.protocol.session import DROP_GRACE, Exchange, NoResponse, Session
from harness.transport.base import ServerGone, TransportError
from harness.transport.transcript import Frame

LIST_METHODS = {
    "tools/list": ("tools", "tools"),
    "resources/list": ("resources", "resources"),
    "resources/templates/list": ("resources", "resourceTemplates"),
    "prompts/list": ("prompts", "prompts"),
}
LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]
SLOW_WORDS = ("slow", "sleep", "wait", "delay", "long", "timer", "countdown")
SLOW_ARGS = ("seconds", "secs", "duration", "delay", "sleep", "wait", "ms", "millis", "timeout")
CANCEL_WAIT = 1.0  # seconds to see whether a cancelled request is still answered (not judged)
UNKNOWN_METHOD_PREFIXES = ("x-harness/",)


# --------------------------------------------------------------------------- what the server offers
@dataclass
class Catalogue:
    """What the server listed once at the start: the machine draws its steps from it."""

    version: str
    era: str
    capabilities: dict[str, Any]
    tools: list[dict[str, Any]] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    prompts: list[dict[str, Any]] = field(default_factory=list)
    first_pages: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def tool_names(self) -> set[str]:
        return {t["name"] for t in self.tools}

    def declared(self, family: str) -> bool:
        return family in self.capabilities

    @property
    def legacy(self) -> bool:
        return self.era != "modern"


def looks_slow(tool: dict[str, Any]) -> bool:
    """Tools that may legitimately run long (a `seconds` argument, "sleep" in the name).

    Why: generated arguments could ask them for 30 s, longer than the harness
    timeout, and a correct server would then be blamed with LIVE-01. They are
    only used by the cancellation step, with a short duration.
    """
    text = f"{tool.get('name', '')} {tool.get('description') or ''}".lower()
    if any(word in text for word in SLOW_WORDS):
        return True
    schema = tool.get("inputSchema") if isinstance(tool.get("inputSchema"), dict) else {}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    return any(any(word in str(name).lower() for word in SLOW_ARGS) for name in props)


def catalogue(wire: Wire) -> Catalogue:
    """List tools, resources, templates and prompts (first pages kept for TOOL-11)."""
    session = wire.session
    cat = Catalogue(
        version=str(session.version), era=session.era, capabilities=dict(session.state.capabilities or {})
    )
    for method, (family, key) in LIST_METHODS.items():
        if not cat.declared(family):
            continue
        items: list[Any] = []
        cursor: Any = None
        for page in range(20):
            params = {} if cursor is None else {"cursor": cursor}
            exchange = wire.call(method, params)
            result = exchange.result if isinstance(exchange.result, dict) else {}
            got = result.get(key) if isinstance(result.get(key), list) else []
            if page == 0:
                cat.first_pages[method] = got
            items += [i for i in got if isinstance(i, dict)]
            cursor = result.get("nextCursor")
            if not isinstance(cursor, str) or not exchange.ok:
                break
        if method == "tools/list":
            cat.tools = [t for t in items if isinstance(t.get("name"), str)]
        elif method == "resources/list":
            cat.resources = [r["uri"] for r in items if isinstance(r.get("uri"), str)]
        elif method == "resources/templates/list":
            cat.templates = [t["uriTemplate"] for t in items if isinstance(t.get("uriTemplate"), str)]
        else:
            cat.prompts = [p for p in items if isinstance(p.get("name"), str)]
    wire.findings()  # the listing itself is judged like any step
    return cat


# --------------------------------------------------------------------------- one wire, judged
class PropertyFailure(AssertionError):
    """A FAIL finding raised inside an example, so Hypothesis shrinks the sequence.

    One subclass per rule id (`failure_class`): Hypothesis tells bugs apart by
    exception type and origin, so two rules found in one run are shrunk apart.
    """

    findings: list[Finding]


_FAILURE_CLASSES: dict[str, type[PropertyFailure]] = {}


def failure_class(rule_id: str) -> type[PropertyFailure]:
    if rule_id not in _FAILURE_CLASSES:
        name = "PropertyFailure_" + rule_id.replace("-", "_")
        _FAILURE_CLASSES[rule_id] = type(name, (PropertyFailure,), {"__module__": __name__})
    return _FAILURE_CLASSES[rule_id]


def raise_findings(
    findings: list[Finding], on_failure: Callable[[PropertyFailure], None] | None = None
) -> None:
    """Raise the first FAIL finding's rule (all of them travel on the exception)."""
    failures = [f for f in findings if f.severity == "fail"]
    if failures:
        error = failure_class(failures[0].rule)("\n".join(f.line() for f in failures[:5]))
        error.findings = failures
        if on_failure is not None:
            on_failure(error)
        raise error


class Wire:
    """Sends frames on a session, waits for answers, and judges what came back.

    Every wait has a timeout. A hang becomes LIVE-01, a dead server LIVE-02;
    everything received goes through the one frame judge
    (`harness.checks.registry`, the same as after every suite test); a reply with no id
    while a notification is the only thing unanswered is RPC-05. Per-method
    expectations (RPC-10/11, TOOL-05, TOOL-11, RES-04) come from `judge`.
    """

    def __init__(
        self,
        session: Session,
        timeout: float,
        baseline: dict[str, list[Any]] | None = None,
        secrets: list[str] | None = None,
    ) -> None:
        self.session = session
        self.frame_judge = judge_of(session, secrets=secrets or [])
        self._mark = self.frame_judge.mark()
        self.timeout = timeout
        self.tool_names: set[str] | None = None
        self.baseline: dict[str, list[Any]] = dict(baseline or {})
        self.used_ids: set[str] = {_key(e.id) for e in session.exchanges}
        # Methods this server has answered a request of that needed no refusal (or the
        # _answers probe): answers to malformed ones do not count, since a server may refuse
        # those at once and still hang on every well-formed call (LIVE-01, not the refusal's).
        self.answered_methods: set[str] = set()
        self._notified_at: int | None = None  # received index when a notification was sent
        self.dropped = False  # the last LIVE-01 was a drop (Session.wait drop_grace), not a hang
        self._malformed_owed = 0  # malformed frames whose id-less error reply has not been seen
        self._scanned = len(session.received)  # received frames already put down to something
        self.pending: list[Finding] = []
        self.on_failure: Callable[[PropertyFailure], None] | None = None

    # -- ids ------------------------------------------------------------------
    def fresh_id(self) -> int:
        while True:
            value = self.session.new_id()
            if _key(value) not in self.used_ids:
                self.used_ids.add(_key(value))
                return value

    def own_id(self, wanted: Any) -> Any:
        """`wanted` if this session never used it (HARN-04), else a fresh id of the same type."""
        if _key(wanted) not in self.used_ids:
            self.used_ids.add(_key(wanted))
            return wanted
        if isinstance(wanted, str):
            suffix = 2
            while _key(f"{wanted}~{suffix}") in self.used_ids:
                suffix += 1
            self.used_ids.add(_key(f"{wanted}~{suffix}"))
            return f"{wanted}~{suffix}"
        return self.fresh_id()

    # -- sending ---------------------------------------------------------------
    def message(
        self, method: str, params: Any = None, *, id: Any = None, meta: bool = True
    ) -> dict[str, Any]:
        """A request frame; modern sessions get their `_meta` when params is an object."""
        frame: dict[str, Any] = {"jsonrpc": "2.0", "id": self.fresh_id() if id is None else self.own_id(id)}
        frame["method"] = method
        if self.session.modern and meta and (params is None or isinstance(params, dict)):
            params = self.session.with_meta(params)
        if params is not None:
            frame["params"] = params
        return frame

    def call(
        self,
        method: str,
        params: Any = None,
        *,
        id: Any = None,
        timeout: float | None = None,
        refusal: str | None = None,
    ) -> Exchange:
        """`refusal`: the rule of the error this request must get, an answer that takes no
        work, so a drop is spotted early and blamed on that rule (not LIVE-01: the server
        is alive, it ignored a malformed request)."""
        return self.request(self.message(method, params, id=id), timeout=timeout, refusal=refusal)

    def request(
        self, frame: dict[str, Any], *, timeout: float | None = None, refusal: str | None = None
    ) -> Exchange:
        """Send a request frame and wait for its answer; judge it. LIVE-01/02 are raised at once."""
        self.used_ids.add(_key(frame.get("id")))
        method = frame.get("method") if isinstance(frame.get("method"), str) else "?"
        try:
            exchange = self.session.send_request(method, message=frame)
            self.session.wait(
                exchange,
                self.timeout if timeout is None else timeout,
                drop_grace=DROP_GRACE if refusal else None,
            )
        except NoResponse as exc:
            self.session.abandon([exc.exchange])
            self.dropped = exc.dropped is not None  # the server still answers: no restart needed
            self.pending.append(fail(self._silence_rule(method, refusal), str(exc), frame))
            raise_findings(self.findings(), self.on_failure)
            raise
        except ServerGone as exc:
            self.pending.append(fail("LIVE-02", f"server went away after {method!r}: {exc}", frame))
            raise_findings(self.findings(), self.on_failure)
            raise
        except TransportError as exc:
            self.pending.append(fail("LIVE-02", f"transport failed on {method!r}: {exc}", frame))
            raise_findings(self.findings(), self.on_failure)
            raise
        if refusal is None:
            self.answered_methods.add(method)
        self.pending += self.judge(exchange)
        self._check_notification_replies()
        return exchange

    def _silence_rule(self, method: str, refusal: str | None) -> str:
        """Whose rule an unanswered request breaks.

        A dropped refusal (the server answered the sentinel ping after it) is the
        refusal's rule when the server answers this method otherwise: it ignored a
        malformed request. An unknown method has no "otherwise", so its drop is
        RPC-10's. A method never answered at all, or a real hang, is LIVE-01.
        """
        if not (self.dropped and refusal):
            return "LIVE-01"
        if refusal == "RPC-10" or method in self.answered_methods or self._answers(method):
            return refusal
        return "LIVE-01"

    def _answers(self, method: str) -> bool:
        """Does the server answer `method` at all? Asked once, with a request that must get an
        answer (an unknown name is refused, but answered), so a dropped malformed request is
        told from a method that hangs whatever it is sent."""
        probes = {
            "tools/call": {"name": "__mcp_harness_probe__", "arguments": {}},
            "prompts/get": {"name": "__mcp_harness_probe__", "arguments": {}},
        }
        if method not in probes:
            return False
        probe = self.session.send_request(method, message=self.message(method, probes[method]))
        self.session.wait(probe, self.timeout, raise_on_timeout=False, drop_grace=DROP_GRACE)
        if not probe.answered:
            self.session.abandon([probe])
            return False
        self.answered_methods.add(method)
        return True

    def notify(self, method: str, params: Any = None) -> None:
        frame: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            frame["params"] = params
        self.notification(frame)

    def notification(self, frame: dict[str, Any]) -> None:
        if self._notified_at is None:
            self._notified_at = len(self.session.received)
        self._send(lambda: self.session.send_message(frame), frame)

    def malformed(self, kind: str, value: Any) -> None:
        """Send a frame that is not a valid request (raw bytes or a wrong JSON value)."""
        self._malformed_owed += 1  # it may get an id-less error reply (RPC-08/09)
        if kind == "raw":
            data = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape")
            if not data.endswith(b"\n"):
                data += b"\n"  # one frame per line: the next request must not be glued onto it
            self._send(lambda: self.session.send_raw(data), value)
        else:
            self._send(lambda: self.session.send_message(value), value)

    def cancel_in_flight(self, frame: dict[str, Any]) -> None:
        """Send a request, cancel it at once, give it a moment, then stop waiting.

        Whether the cancelled request is still answered is a race the spec
        allows (CANC-01 is a SHOULD): not judged here, only liveness and frames.
        """
        self.used_ids.add(_key(frame.get("id")))
        method = str(frame.get("method"))
        exchange: Exchange | None = None

        def send() -> None:
            nonlocal exchange
            exchange = self.session.send_request(method, message=frame)

        self._send(send, frame)
        self.notify("notifications/cancelled", {"requestId": frame.get("id"), "reason": "harness cancel"})
        assert exchange is not None
        try:
            # a ping right behind the cancel: once it is answered, a moment more is enough
            self.session.wait_until(lambda: exchange.answered, CANCEL_WAIT, drop_grace=CANCEL_WAIT)
        except TransportError as exc:
            self.pending.append(
                fail("LIVE-02", f"server went away after cancelling {method!r}: {exc}", frame)
            )
            raise_findings(self.findings(), self.on_failure)
            raise
        self.session.abandon([exchange])

    def _send(self, action: Callable[[], None], frame: Any) -> None:
        try:
            action()
        except TransportError as exc:
            self.pending.append(fail("LIVE-02", f"could not send to the server: {exc}", _small(frame)))
            raise_findings(self.findings(), self.on_failure)
            raise

    # -- judging -----------------------------------------------------------------
    def judge(self, exchange: Exchange) -> list[Finding]:
        """The per-method expectations for one answered request."""
        method, frame = exchange.method, exchange.request
        params = frame.get("params")
        found: list[Finding] = []
        if method.startswith(UNKNOWN_METHOD_PREFIXES) or method in gen.UNKNOWN_METHODS:
            found += expect_error("RPC-10", exchange, -32601, f"unknown method {method!r}")
        elif method == "tools/call":
            if not isinstance(params, dict) or not isinstance(params.get("name"), str):
                found += expect_error("RPC-11", exchange, -32602, f"tools/call with params {_short(params)}")
            elif self.tool_names is not None and params["name"] not in self.tool_names:
                found += unknown_tool(exchange, params["name"])
        elif method == "resources/read" and isinstance(params, dict):
            uri = params.get("uri")
            if isinstance(uri, str) and uri.startswith("file:") and ".." in uri:
                found += traversal(exchange, uri, from_template=False)
        elif method in LIST_METHODS and self.session.modern and _first_page(params, exchange):
            items = exchange.result.get(LIST_METHODS[method][1])
            if isinstance(items, list):
                before = self.baseline.setdefault(method, items)
                found += list_stable(before, items, "earlier requests", method)
        return [f for f in found if f.severity == "fail"]

    def _check_notification_replies(self) -> None:
        """RPC-05: a response without an id that arrived after a notification, before the
        next request was answered.

        A malformed frame's -32700/-32600 reply legitimately has no id, and may be
        dispatched late (answers can come in any order), so every id-less reply is
        first put down to a malformed frame still owed one; only the rest, after a
        notification, are replies to it.
        """
        received = self.session.received
        for index in range(self._scanned, len(received)):
            item = received[index]
            message = item.message
            if not (
                isinstance(message, dict)
                and "method" not in message
                and item.answers is None
                and message.get("id") is None
            ):
                continue
            if self._malformed_owed > 0:
                self._malformed_owed -= 1
            elif self._notified_at is not None and index >= self._notified_at:
                self.pending.append(fail("RPC-05", "the server replied to a notification", message))
        self._scanned = len(received)
        self._notified_at = None

    def findings(self) -> list[Finding]:
        """Everything wrong since the last call: per-frame checks, ids, and the pending expectations."""
        session = self.session
        found = list(self.pending)
        self.pending = []
        found += self.frame_judge.judge(self._mark, version=session.version, era=session.era)
        self._mark = self.frame_judge.mark()
        return [f for f in found if f.severity == "fail"]

    def check(self) -> None:
        raise_findings(self.findings(), self.on_failure)


# --------------------------------------------------------------------------- the live session across examples
@dataclass
class EngineConfig:
    """Limits that keep a property run bounded whatever the server does."""

    call_tools: bool = False
    timeout: float = 10.0
    max_restarts: int = 10  # server restarts after a crash or hang, per run
    budget_seconds: float = 120.0  # after this, no new examples (shrinking stops with what it has)
    secrets: list[str] = field(default_factory=list)  # values no frame may carry (SEC-01)
    planned_steps: int = 0  # examples x steps of the profile: sizes the speed-scaled budget (0: none)


# A run may take this many times what its planned steps would take at the server's
# measured round trip, within [MIN_SPEED_BUDGET, budget_seconds]: a slow or stalling
# server cannot stretch the run to the whole budget, and on a fast one the harness's own
# cost per step (10-20 ms: drawing, judging) is what the floor pays for, about 100 steps.
# The default run is a gate people run on every push; `thorough` is for exploring.
SPEED_BUDGET_FACTOR = 3.0
MIN_SPEED_BUDGET = 1.5
# Once something failed, shrinking (and the search for further bugs) may take this share of
# the speed-scaled budget, at least MIN_SHRINK_SECONDS: the fixed suites report the rule
# anyway, the property run's job is a short transcript, not the shortest one at any cost.
SHRINK_SHARE = 0.25
MIN_SHRINK_SECONDS = 2.0


@dataclass
class Recorded:
    """The frames and findings of one failing example."""

    rule: str
    findings: list[Finding]
    frames: list[Frame]

    @property
    def sent(self) -> int:
        return sum(1 for f in self.frames if f.direction == "send")


class Driver:
    """Owns the session the examples run on: restarts it (bounded) when a sequence
    killed or hung it, and keeps the frames of each failing example."""

    def __init__(self, connect: Callable[[], Session], config: EngineConfig) -> None:
        self.connect = connect
        self.config = config
        self.failures: dict[str, Recorded] = {}
        self._seq = 0
        self.recording = False  # failures during the catalogue are not an example's
        self.session = connect()
        self.wire = Wire(self.session, config.timeout, secrets=config.secrets)
        self.wire.on_failure = self.record
        self.catalogue = catalogue(self.wire)
        self.wire.tool_names = self.catalogue.tool_names if self.catalogue.declared("tools") else None
        self.wire.baseline = dict(self.catalogue.first_pages)
        self.restarts = 0
        self.examples = 0
        self.steps = 0
        self.started = time.monotonic()
        self.needs_restart = False
        self.exhausted: str = ""
        self.budget = self._speed_budget()
        self.first_failure_at: float | None = None

    def _speed_budget(self) -> float:
        """The time budget scaled to this server's speed: its median ping over a few tries."""
        if not self.config.planned_steps:
            return self.config.budget_seconds
        trips = []
        for _ in range(5):
            exchange = self.wire.call(self.session.harmless_method, {})
            if exchange.elapsed is not None:
                trips.append(exchange.elapsed)
        self.wire.findings()
        median = sorted(trips)[len(trips) // 2] if trips else 1.0
        scaled = SPEED_BUDGET_FACTOR * self.config.planned_steps * median
        return min(self.config.budget_seconds, max(MIN_SPEED_BUDGET, scaled))

    def begin(self) -> Wire:
        """Start an example: a live session (restarted if needed), or `reject()` when out of budget."""
        if self.exhausted:
            reject()
        spent = time.monotonic() - self.started
        if self.failures and spent > self.config.budget_seconds:
            self.exhausted = f"time budget of {self.config.budget_seconds:g}s spent"
            reject()
        if spent > self.budget and self.first_failure_at is None:  # once failing, shrinking has its own
            self.exhausted = f"time budget of {self.budget:.1f}s (scaled to the server's speed) spent"
            reject()
        shrink = max(MIN_SHRINK_SECONDS, SHRINK_SHARE * self.budget)
        if self.first_failure_at is not None and time.monotonic() - self.first_failure_at > shrink:
            self.exhausted = f"shrinking budget of {shrink:.1f}s spent"
            reject()
        if self.needs_restart or not self.session.transport.alive():
            if self.restarts >= self.config.max_restarts:
                self.exhausted = f"server restarted {self.restarts} times"
                reject()
            self.restart()
        self.examples += 1
        self.recording = True
        self._seq = self.session.transcript.last_seq
        self.wire.findings()  # whatever trickled in between examples is not this example's doing
        return self.wire

    def restart(self) -> None:
        self.restarts += 1
        self.needs_restart = False
        try:
            self.session.close()
        except Exception:
            pass
        try:
            self.session = self.connect()
        except Exception as exc:
            self.exhausted = f"server could not be restarted: {exc}"
            reject()
        baseline, names = self.wire.baseline, self.wire.tool_names
        self.wire = Wire(self.session, self.config.timeout, baseline, secrets=self.config.secrets)
        self.wire.tool_names = names
        self.wire.on_failure = self.record

    def record(self, error: PropertyFailure) -> None:
        """Keep this failing example's frames; the smallest example per rule wins
        (Hypothesis's last run of a bug is its shrunk example)."""
        if not self.recording:
            return
        if self.first_failure_at is None:
            self.first_failure_at = time.monotonic()
        hung = any(f.rule == "LIVE-01" for f in error.findings) and not self.wire.dropped
        if hung or any(f.rule == "LIVE-02" for f in error.findings):
            self.needs_restart = True
        self.wire.dropped = False
        frames = self.session.transcript.since(self._seq)
        recorded = Recorded(error.findings[0].rule, error.findings, frames)
        best = self.failures.get(recorded.rule)
        if best is None or recorded.sent <= best.sent:
            self.failures[recorded.rule] = recorded

    def close(self) -> None:
        try:
            self.session.close()
        except Exception:
            pass


# --------------------------------------------------------------------------- the machine
def build_machine(driver: Driver) -> type[RuleBasedStateMachine]:
    """A state machine class for this server: rules only for what it declared.

    Built per run because the strategies depend on what the server listed
    (tool schemas, resource URIs, prompt names).
    """
    cat = driver.catalogue
    call_tools = driver.config.call_tools
    tools = [t for t in cat.tools if not looks_slow(t)]
    slow = [t for t in cat.tools if looks_slow(t)]
    valid = {t["name"]: gen.valid_arguments(t) for t in tools} if call_tools else {}
    valid_tools = [t for t in tools if valid.get(t["name"]) and valid[t["name"]].strategy is not None]
    breakable = [t for t in tools if gen.has_invalid_arguments(t)]
    harmless = "server/discover" if cat.era == "modern" else "ping"
    list_methods = [m for m, (family, _key) in LIST_METHODS.items() if cat.declared(family)]
    pool = tools if call_tools else breakable
    args_for = gen.mutated_arguments if call_tools else gen.invalid_arguments
    refs = [
        ({"type": "ref/prompt", "name": p["name"]}, a["name"])
        for p in cat.prompts
        for a in p.get("arguments") or []
        if isinstance(a, dict) and isinstance(a.get("name"), str)
    ]
    refs += [({"type": "ref/resource", "uri": t}, v) for t in cat.templates for v in template_variables(t)]
    prompt_names = {p["name"] for p in cat.prompts}

    class McpMachine(RuleBasedStateMachine):
        """Random walks over the MCP surface of one server, judged after every step."""

        cursors = Bundle("cursors")

        def __init__(self) -> None:
            super().__init__()
            self.wire = driver.begin()

        def _harmless(self) -> Exchange:
            return self.wire.call(driver.session.harmless_method, {})

        @invariant()
        def every_frame_judged(self) -> None:
            driver.steps += 1
            self.wire.check()

        # -- lists and pagination ---------------------------------------------
        if list_methods:

            @rule(target=cursors, method=st.sampled_from(list_methods))
            def list_first_page(self, method: str) -> Any:
                exchange = self.wire.call(method, {})
                cursor = exchange.result.get("nextCursor") if isinstance(exchange.result, dict) else None
                return multiple(cursor) if isinstance(cursor, str) else multiple()

            @rule(target=cursors, method=st.sampled_from(list_methods), cursor=cursors)
            def list_next_page(self, method: str, cursor: str) -> Any:
                exchange = self.wire.call(method, {"cursor": cursor})
                nxt = exchange.result.get("nextCursor") if isinstance(exchange.result, dict) else None
                return multiple(nxt) if isinstance(nxt, str) else multiple()

            @rule(method=st.sampled_from(list_methods), cursor=gen.cursors())
            def list_with_forged_cursor(self, method: str, cursor: Any) -> None:
                self.wire.call(method, {"cursor": cursor})

        # -- tools -------------------------------------------------------------
        if cat.declared("tools"):
            if valid_tools:

                @rule(
                    call=st.sampled_from(valid_tools).flatmap(
                        lambda t: st.tuples(st.just(t["name"]), valid[t["name"]].strategy)  # type: ignore[arg-type]
                    ),
                    token=st.none() | gen.progress_tokens(),
                )
                def call_tool_valid(self, call: tuple[str, dict[str, Any]], token: Any) -> None:
                    params: dict[str, Any] = {"name": call[0], "arguments": call[1]}
                    if token is not None:
                        params["_meta"] = {"progressToken": token}
                    self.wire.call("tools/call", params)

            if pool:

                @rule(
                    call=st.sampled_from(pool).flatmap(lambda t: st.tuples(st.just(t["name"]), args_for(t)))
                )
                def call_tool_broken_arguments(self, call: tuple[str, gen.Mutation]) -> None:
                    self.wire.call("tools/call", {"name": call[0], "arguments": call[1].value})

            @rule(name=gen.unknown_names(cat.tool_names))
            def call_unknown_tool(self, name: str) -> None:
                self.wire.call("tools/call", {"name": name, "arguments": {}}, refusal="TOOL-05")

            @rule(
                params=st.one_of(
                    gen.json_scalars(),
                    st.lists(gen.json_scalars(), max_size=2),
                    gen.json_scalars()
                    .filter(lambda v: not isinstance(v, str))
                    .map(lambda v: {"name": v, "arguments": {}}),
                    st.just({"arguments": {}}),
                )
            )
            def call_tool_bad_params(self, params: Any) -> None:
                self.wire.call("tools/call", params, refusal="RPC-11")

        # -- resources ---------------------------------------------------------
        if cat.declared("resources"):

            @rule(uri=gen.resource_uris(cat.resources, cat.templates))
            def read_resource(self, uri: str) -> None:
                self.wire.call("resources/read", {"uri": uri})

            resources_cap = cat.capabilities.get("resources")
            if (
                cat.legacy
                and cat.resources
                and isinstance(resources_cap, dict)
                and resources_cap.get("subscribe")
            ):

                @rule(uri=st.sampled_from(cat.resources))
                def subscribe_and_unsubscribe(self, uri: str) -> None:
                    self.wire.call("resources/subscribe", {"uri": uri})
                    self.wire.call("resources/unsubscribe", {"uri": uri})

        # -- prompts -----------------------------------------------------------
        if cat.declared("prompts"):
            if cat.prompts:

                @rule(
                    prompt=st.sampled_from(cat.prompts),
                    value=st.sampled_from(["harness", "1"]) | gen.hostile_strings(),
                    fill_optional=st.booleans(),
                )
                def get_prompt(self, prompt: dict[str, Any], value: str, fill_optional: bool) -> None:
                    args = {
                        a["name"]: value
                        for a in prompt.get("arguments") or []
                        if isinstance(a, dict)
                        and isinstance(a.get("name"), str)
                        and (a.get("required") or fill_optional)
                    }
                    self.wire.call("prompts/get", {"name": prompt["name"], "arguments": args})

            @rule(name=gen.unknown_names(prompt_names))
            def get_unknown_prompt(self, name: str) -> None:
                self.wire.call("prompts/get", {"name": name, "arguments": {}}, refusal="PROMPT-03")

        # -- completion ----------------------------------------------------------
        if cat.declared("completions") and refs:

            @rule(ref=st.sampled_from(refs), value=st.text(max_size=10) | gen.hostile_strings())
            def complete(self, ref: tuple[dict[str, Any], str], value: str) -> None:
                argument = {"name": ref[1], "value": value}
                self.wire.call("completion/complete", {"ref": ref[0], "argument": argument})

        # -- legacy utilities ------------------------------------------------------
        if cat.legacy:
            # A ping known to be slow (PING-01 has it) only spends the budget, 2 s a step.
            @precondition(lambda self: "ping" not in driver.session.slow_sentinels)
            @rule()
            def ping(self) -> None:
                self.wire.call("ping", {})

            if cat.declared("logging"):

                @rule(level=st.sampled_from(LOG_LEVELS))
                def set_log_level(self, level: str) -> None:
                    self.wire.call("logging/setLevel", {"level": level})

        # -- ids, unknown methods, notifications, cancellation, malformed frames -----
        @rule(request_id=gen.request_ids())
        def request_with_odd_id(self, request_id: Any) -> None:
            self.wire.call(driver.session.harmless_method, {}, id=request_id)

        @rule(method=gen.unknown_methods())
        def unknown_method(self, method: str) -> None:
            self.wire.call(method, {}, refusal="RPC-10")

        @rule(method=gen.unknown_notifications(), params=st.none() | st.just({"detail": "harness probe"}))
        def unknown_notification(self, method: str, params: Any) -> None:
            self.wire.notify(method, params)
            self._harmless()

        @rule(request_id=gen.request_ids(), malformed=st.booleans())
        def cancel_unknown_request(self, request_id: Any, malformed: bool) -> None:
            if malformed:
                self.wire.notify("notifications/cancelled", {"reason": "no requestId"})
            else:
                unused = (
                    request_id
                    if gen_key(request_id) not in self.wire.used_ids
                    else f"never-sent-{request_id}"
                )
                self.wire.notify("notifications/cancelled", {"requestId": unused, "reason": "harness probe"})
            self._harmless()

        @rule(use_slow=st.booleans())
        def cancel_in_flight(self, use_slow: bool) -> None:
            if use_slow and call_tools and slow:
                frame = self.wire.message(
                    "tools/call", {"name": slow[0]["name"], "arguments": _short_run(slow[0])}
                )
            else:
                frame = self.wire.message(list_methods[0] if list_methods else harmless, {})
            self.wire.cancel_in_flight(frame)
            self._harmless()

        @rule(frame=gen.malformed_frames())
        def malformed_frame(self, frame: tuple[str, Any]) -> None:
            self.wire.malformed(*frame)
            self._harmless()

    McpMachine.__name__ = McpMachine.__qualname__ = "McpMachine"
    _ = initialize  # kept importable for subclasses that add set-up steps
    return McpMachine


# --------------------------------------------------------------------------- running it
@dataclass
class RunResult:
    """What one property run did and found (figures for the report and for people)."""

    failures: list[Recorded]
    examples: int
    steps: int
    restarts: int
    seconds: float
    seed: int | None
    derandomized: bool
    stopped: str = ""
    error: BaseException | None = None

    @property
    def examples_per_second(self) -> float:
        return self.examples / self.seconds if self.seconds > 0 else 0.0


def run_machine(
    driver: Driver,
    settings: Any,
    *,
    seed: int | None = None,
    database_key: bytes | None = None,
) -> RunResult:
    """Run the state machine for `driver`'s server under Hypothesis `settings`.

    `seed` pins the run (ignored when the settings derandomize: Hypothesis
    then derives the seed from the test itself, which is what a CI gate
    wants). `database_key` keeps the example database apart per server and
    version, so a failure found against one server is retried first against
    that server, not against every other one.
    """
    from hypothesis import HealthCheck
    from hypothesis import seed as pin_seed
    from hypothesis import settings as Settings
    from hypothesis.stateful import get_state_machine_test

    machine = build_machine(driver)
    tuned = Settings(
        settings,
        deadline=None,
        suppress_health_check=[
            *settings.suppress_health_check,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
        report_multiple_bugs=True,
    )
    test = get_state_machine_test(machine, settings=tuned)
    if seed is not None and not tuned.derandomize:
        test = pin_seed(seed)(test)
    if database_key is not None:
        # Hypothesis reads this attribute for the database key (it is how
        # `@given` tests parametrised by pytest stay apart).
        test._hypothesis_internal_database_key = database_key  # type: ignore[attr-defined]
    started = time.monotonic()
    error: BaseException | None = None
    try:
        test()
    except BaseException as exc:  # PropertyFailure, ExceptionGroup of them, Flaky, Unsatisfiable, bugs
        if isinstance(exc, KeyboardInterrupt):
            raise
        error = exc
    finally:
        driver.recording = False
    return RunResult(
        failures=sorted(driver.failures.values(), key=lambda r: r.rule),
        examples=driver.examples,
        steps=driver.steps,
        restarts=driver.restarts,
        seconds=time.monotonic() - started,
        seed=None if tuned.derandomize else seed,
        derandomized=bool(tuned.derandomize),
        stopped=driver.exhausted,
        error=None
        if error is None or _expected(error, bool(driver.failures), bool(driver.exhausted))
        else error,
    )


def _expected(error: BaseException, found: bool, stopped: bool = False) -> bool:
    """Errors that are the run's normal way to end: our findings, or, once something
    was found or a budget stopped the run, Hypothesis noticing that a bounded run
    (restart or time budget spent) rejected or stopped replaying examples."""
    from hypothesis.errors import Flaky, Unsatisfiable

    if _only_property_failures(error):
        return True
    return (found or stopped) and isinstance(error, (Flaky, Unsatisfiable))


def _only_property_failures(error: BaseException) -> bool:
    """True when Hypothesis raised nothing but our findings (alone, grouped, or flaky)."""
    if isinstance(error, PropertyFailure):
        return True
    inner = getattr(error, "exceptions", None)
    if inner:
        return all(_only_property_failures(e) for e in inner)
    return False


@dataclass
class PropertyFinding(Finding):
    """A finding from a property run, carrying its own minimal transcript and seed.

    The report writer turns a finding with a `transcript` into
    `failures/RULE-N.jsonl`; `harness.property.replay` re-sends the `send` frames of it.
    """

    seed: int | None = None
    transcript: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "property"


def property_findings(result: RunResult) -> list[PropertyFinding]:
    """One finding per rule a property run broke, with the shrunk example's frames as evidence."""
    from harness.transport.transcript import render

    out: list[PropertyFinding] = []
    for recorded in result.failures:
        first = recorded.findings[0]
        how = "derandomized" if result.derandomized else f"seed {result.seed}"
        if result.stopped:
            how += f"; shrinking stopped early: {result.stopped}"
        message = (
            f"{first.message} [property run, {how}; minimal example: {recorded.sent} frame(s) sent, "
            f"{len(recorded.frames)} in all]\n{render(recorded.frames, 20)}"
        )
        out.append(
            PropertyFinding(
                first.rule,
                "fail",
                message,
                first.evidence,
                seed=result.seed,
                transcript=[frame.as_dict() for frame in recorded.frames],
            )
        )
    return out


def _short_run(tool: dict[str, Any]) -> dict[str, Any]:
    """Arguments for a slow tool that ask for about two seconds (long enough to cancel)."""
    from harness.property.examples import NoExample, valid_arguments

    schema = tool.get("inputSchema") if isinstance(tool.get("inputSchema"), dict) else {}
    try:
        args = valid_arguments(schema)
    except NoExample:
        args = {}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for name, spec in props.items():
        if isinstance(spec, dict) and spec.get("type") in ("number", "integer"):
            lowered = name.lower()
            if "ms" in lowered or "milli" in lowered:
                args[name] = 2000
            elif any(word in lowered for word in SLOW_ARGS):
                args[name] = 2
    return args


def _first_page(params: Any, exchange: Exchange) -> bool:
    """A successful list answer to a request without a cursor (what TOOL-11 compares)."""
    return (
        isinstance(params, dict)
        and "cursor" not in params
        and exchange.ok
        and isinstance(exchange.result, dict)
    )


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


gen_key = _key


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _small(value: Any) -> dict[str, Any]:
    return {"value": _short(value, 300)}


__all__ = [
    "Catalogue",
    "Driver",
    "EngineConfig",
    "PropertyFailure",
    "PropertyFinding",
    "Recorded",
    "RunResult",
    "Wire",
    "build_machine",
    "catalogue",
    "failure_class",
    "looks_slow",
    "property_findings",
    "raise_findings",
    "run_machine",
]
