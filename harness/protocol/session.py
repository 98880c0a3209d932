"""A JSON-RPC peer speaking MCP to one server, over any transport.

The session owns request ids, matches responses to requests (and notices
when the server gets an id wrong), answers the server's own requests (ping,
roots/list) as a well-behaved client must (HARN-05), negotiates the protocol
version in either era (HARN-01/02), and keeps every frame it received with
the method it answered, so checks can validate each one against the schema
type of its method.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from harness import __version__
from harness.protocol.exchange import (
    META_CAPABILITIES,
    META_CLIENT_INFO,
    META_SERVER_INFO,
    META_VERSION,
    Exchange,
    NoResponse,
    Received,
    ServerState,
)
from harness.protocol.persona import CAPABILITY_OF, Persona
from harness.protocol.versions import LATEST_LEGACY, V5
from harness.transport.base import (
    HttpInfo,
    Incoming,
    ReadTimeout,
    ServerGone,
    Transport,
    TransportError,
    encode,
)

if TYPE_CHECKING:  # typing only: a stdio run never imports httpx
    from harness.transport.http import HttpTransport
    from harness.transport.stdio import StdioTransport

CLIENT_INFO = {"name": "mcp-harness", "version": __version__}
MODERN = V5
MAX_SERVER_REQUESTS_ANSWERED = 200  # a server that loops on requests is not fed forever


DROP_GRACE = 0.5  # seconds: the most a drop wait gives after the ping (see Session.wait_until)
# After a sentinel is answered, the wait goes on for this many of its round trips
# (at least the floor, at most the caller's grace): a server that answered the
# sentinel has read what came before it, and an answer that needs no work is due
# within a few round trips, however loaded the machine is. See docs/waiting.md.
ROUND_TRIPS_OF_GRACE = 4.0
DROP_GRACE_FLOOR = 0.1  # a server running requests as tasks may answer the ping first
SETTLE_FLOOR = 0.05
# A request that may be dropped gets its sentinel only after this much silence: most
# refusals come back sooner, and a transcript without a needless ping shrinks smaller.
SENTINEL_AFTER = 0.05
# Once a method hung for a whole timeout, the verdict (LIVE-01) is in: the next requests of
# that method wait this long, so a server that hangs on every tool call does not cost a
# full timeout in every test that calls one.
HUNG_AGAIN_TIMEOUT = 1.0
# A request that outlives its timeout while the server answers pings is waited for up to
# this many timeouts in all (then cancelled, LIVE-01): a slow tool is not a dead server.
SLOW_CAP_FACTOR = 2.0
# A ping slower than this (PING-01 warns above 1 s) makes a poor sentinel: every settle and
# drop wait would cost its round trip several times over. Once seen, initialized legacy
# sessions of the run use a list request the server declared instead (see harmless_method).
SLOW_SENTINEL = 0.5
LISTING_SENTINELS = (("tools", "tools/list"), ("prompts", "prompts/list"), ("resources", "resources/list"))
SENT_KEEP = 32  # outgoing frames remembered for a killer replay (harness/protocol/killer.py)
SENTINEL_METHODS = frozenset({"ping", *(method for _, method in LISTING_SENTINELS)})


@dataclass(frozen=True)
class Sent:
    """One frame as the session sent it: a JSON value, or raw bytes (`message` None)."""

    at: float
    message: Any
    raw: bytes | None = None


def grace_after(sentinel: Exchange, cap: float, floor: float) -> float:
    """When a wait that ended with `sentinel`'s answer may stop: a few of its round trips later."""
    answered = sentinel.received_at or time.monotonic()
    round_trip = answered - sentinel.sent_at
    return answered + min(cap, max(floor, ROUND_TRIPS_OF_GRACE * round_trip))


class Session:
    """A client session with one server."""

    def __init__(
        self,
        transport: Transport,
        *,
        timeout: float = 10.0,
        client_capabilities: dict[str, Any] | None = None,
        hung_methods: set[str] | None = None,
        slow_sentinels: set[str] | None = None,
    ) -> None:
        self.transport = transport
        self.timeout = timeout
        self.client_capabilities = client_capabilities or {}
        self.state = ServerState()
        self.received: list[Received] = []
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []
        self.unmatched: list[dict[str, Any]] = []  # responses to ids we never sent, or sent twice
        self.exchanges: list[Exchange] = []
        self._pending: dict[str, Exchange] = {}
        self._done_ids: set[str] = set()
        self._abandoned: set[str] = set()
        self._next_id = 1
        self.observers: list[Any] = []  # objects with before(exchange) / after(exchange), e.g. the oracle
        self.tools: dict[str, dict[str, Any]] = {}  # every tool seen in a tools/list result, by name
        self._answered_server_requests = 0
        self.last_grace = 0.0  # seconds the last drop wait gave after its sentinel was answered
        # Methods this server already left unanswered for a whole timeout (LIVE-01 is
        # established): later requests of them wait HUNG_AGAIN_TIMEOUT, not the full timeout.
        # Shared by every session of a run (McpRun.connect) when given.
        self.hung_methods: set[str] = hung_methods if hung_methods is not None else set()
        # Sentinel methods this server answered slower than SLOW_SENTINEL; shared like hung_methods.
        self.slow_sentinels: set[str] = slow_sentinels if slow_sentinels is not None else set()
        self.initialized_sent = False  # legacy: notifications/initialized has gone out
        # The scripted client (harness/protocol/persona.py) answering the server's elicitation,
        # sampling and roots requests for the kinds this session declared; None: refuse them.
        self.persona: Persona | None = None
        # The last frames sent, exactly (JSON values, or raw bytes), with their times: what a
        # replay needs to tell whether a probe killed the server (killer.py).
        self.sent: deque[Sent] = deque(maxlen=SENT_KEEP)

    @property
    def transcript(self):
        return self.transport.transcript

    @property
    def http(self) -> HttpTransport:
        """The HTTP transport, typed, for suites that speak HTTP below JSON-RPC (HTTP, AUTH).

        Raises TypeError on another transport: such a test is gated to HTTP.
        """
        if self.transport.kind != "http":
            raise TypeError(f"an HTTP-only operation on a {self.transport.kind} session")
        return cast("HttpTransport", self.transport)

    @property
    def stdio(self) -> StdioTransport:
        """The stdio transport, typed, for suites about the process (STDIO)."""
        if self.transport.kind != "stdio":
            raise TypeError(f"a stdio-only operation on a {self.transport.kind} session")
        return cast("StdioTransport", self.transport)

    def post_raw(
        self,
        body: Any,
        headers: dict[str, str | None] | None = None,
        *,
        url: str | None = None,
        stream_seconds: float = 0.0,
    ) -> HttpInfo:
        """POST `body` (a message, or bytes as is) with the headers a correct client sends,
        edited by `headers` (None drops one). The reply is returned, not dispatched."""
        wanted: dict[str, Any] = dict(self.http_headers(body) or {}) if isinstance(body, dict) else {}
        wanted.update(headers or {})
        raw = body if isinstance(body, bytes) else encode(body)
        return self.http.raw("POST", body=raw, headers=wanted, url=url, stream_seconds=stream_seconds)

    @property
    def era(self) -> str:
        return self.state.era

    @property
    def version(self) -> str | None:
        return self.state.protocol_version

    @property
    def modern(self) -> bool:
        return self.state.era == "modern"

    # -- ids -------------------------------------------------------------
    def new_id(self) -> int:
        """A fresh integer id; never reuses one in flight (HARN-04)."""
        while True:
            value = self._next_id
            self._next_id += 1
            if _key(value) not in self._pending:
                return value

    # -- building messages ---------------------------------------------------
    def request_message(self, method: str, params: dict[str, Any] | None = None, *, id: Any = None) -> dict:
        message: dict[str, Any] = {
            "jsonrpc": "2.0",
            "id": self.new_id() if id is None else id,
            "method": method,
        }
        params = self.with_meta(params) if self.modern else params
        if params is not None:
            message["params"] = params
        return message

    def with_meta(self, params: dict[str, Any] | None, **extra_meta: Any) -> dict[str, Any]:
        """Add the modern era's per-request `_meta` (version and capabilities)."""
        params = dict(params or {})
        meta = dict(params.get("_meta") or {})
        meta.setdefault(META_VERSION, self.state.protocol_version or MODERN)
        meta.setdefault(META_CAPABILITIES, self.client_capabilities)
        meta.setdefault(META_CLIENT_INFO, CLIENT_INFO)
        meta.update(extra_meta)
        params["_meta"] = meta
        return params

    def http_headers(self, message: Any) -> dict[str, str] | None:
        """Headers a V5 client must add per request (HARN-04, HTTP-M02/M03)."""
        if self.transport.kind != "http" or not self.modern or not isinstance(message, dict):
            return None
        headers = {"MCP-Protocol-Version": str(self.state.protocol_version or MODERN)}
        method = message.get("method")
        if isinstance(method, str):
            headers["Mcp-Method"] = method
            params = message.get("params") if isinstance(message.get("params"), dict) else {}
            if method in ("tools/call", "prompts/get") and isinstance(params.get("name"), str):
                headers["Mcp-Name"] = _header_value(params["name"])
            elif method == "resources/read" and isinstance(params.get("uri"), str):
                headers["Mcp-Name"] = _header_value(params["uri"])
        return headers

    # -- sending -------------------------------------------------------------
    def send_request(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        id: Any = None,
        headers: dict[str, str] | None = None,
        message: dict[str, Any] | None = None,
    ) -> Exchange:
        """Send a request without waiting; `wait()` for its response later."""
        message = message or self.request_message(method, params, id=id)
        exchange = Exchange(method=method, request=message, sent_at=time.monotonic())
        self._pending[_key(message.get("id"))] = exchange
        self.exchanges.append(exchange)
        merged = {**(self.http_headers(message) or {}), **(headers or {})}
        for observer in self.observers:
            observer.before(exchange)
        self._remember(message)
        self.transport.send(message, headers=merged or None)
        return exchange

    def request(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        id: Any = None,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
        drop_grace: float | None = None,
    ) -> Exchange:
        """Send a request and wait for its response; raises NoResponse or ServerGone."""
        exchange = self.send_request(method, params, id=id, headers=headers)
        return self.wait(exchange, timeout, drop_grace=drop_grace)

    def send_batch(self, messages: list[dict[str, Any]]) -> list[Exchange]:
        """Send several frames as one JSON array; returns the exchanges of its requests."""
        exchanges = []
        for message in messages:
            if "method" in message and "id" in message:
                exchange = Exchange(method=message["method"], request=message, sent_at=time.monotonic())
                self._pending[_key(message["id"])] = exchange
                self.exchanges.append(exchange)
                exchanges.append(exchange)
        self._remember(messages)
        self.transport.send(messages)
        return exchanges

    def abandon(self, exchanges: list[Exchange]) -> None:
        """Stop waiting for these; a late answer is then accepted quietly, not flagged."""
        for exchange in exchanges:
            key = _key(exchange.id)
            if self._pending.pop(key, None) is not None:
                self._abandoned.add(key)

    def notify(
        self, method: str, params: dict[str, Any] | None = None, *, headers: dict | None = None
    ) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        merged = {**(self.http_headers(message) or {}), **(headers or {})}
        self._remember(message)
        self.transport.send(message, headers=merged or None)
        if method == "notifications/initialized":
            self.initialized_sent = True

    def send_message(self, message: Any, *, headers: dict[str, str] | None = None) -> None:
        """Send any JSON value as is (malformed on purpose, batches, ...).

        Ids in it were really sent, so a reply carrying one is not a phantom.
        """
        for item in message if isinstance(message, list) else [message]:
            if isinstance(item, dict) and item.get("id") is not None:
                self._abandoned.add(_key(item["id"]))
        merged = {**(self.http_headers(message) or {}), **(headers or {})}
        self._remember(message)
        self.transport.send(message, headers=merged or None)

    def send_raw(self, data: bytes, *, headers: dict[str, str] | None = None) -> None:
        self._remember(None, data)
        self.transport.send_raw(data, headers=headers)

    def _remember(self, message: Any, raw: bytes | None = None) -> None:
        self.sent.append(Sent(time.monotonic(), message, raw))

    def last_answer_at(self) -> float | None:
        """When the last response (to anything) arrived: the server was alive then."""
        for record in reversed(self.received):
            msg = record.message
            if isinstance(msg, dict) and "method" not in msg and ("result" in msg or "error" in msg):
                return record.at
        return None

    # -- receiving -------------------------------------------------------------
    @property
    def harmless_method(self) -> str:
        """A request every server must answer at once: ping (legacy) or server/discover (modern).

        A sentinel only has to be answered after what was sent before it, so when this
        server's ping is slow (PING-01 reports that once) an initialized session takes a
        list request of a capability the server declared instead: a slow ping must not
        make every settle and drop wait of the run slow.
        """
        if self.modern:
            return "server/discover"
        if "ping" in self.slow_sentinels and self.initialized_sent:
            declared = self.state.capabilities
            for capability, method in LISTING_SENTINELS:
                if capability in declared and method not in self.slow_sentinels | self.hung_methods:
                    return method
        return "ping"

    def wait(
        self,
        exchange: Exchange,
        timeout: float | None = None,
        *,
        raise_on_timeout: bool = True,
        drop_grace: float | None = None,
    ) -> Exchange:
        """Wait for `exchange`'s response, at most `timeout` seconds.

        `drop_grace` is for requests a server can answer without doing any work
        (malformed frames, bad params, unknown names): see `wait_until`.
        `exchange.dropped` then says whether the wait ended on a drop.
        """
        timeout = self.timeout if timeout is None else timeout
        if exchange.method in self.hung_methods:
            timeout = min(timeout, HUNG_AGAIN_TIMEOUT)
        outcome = self.wait_until(
            lambda: exchange.answered, timeout, drop_grace=drop_grace, probe_after=SENTINEL_AFTER
        )
        if outcome == "timeout" and raise_on_timeout and drop_grace is None:
            outcome = self._wait_while_alive(exchange, timeout)
        if outcome == "done":
            return exchange
        exchange.dropped = outcome == "dropped"
        if raise_on_timeout:
            if not exchange.dropped:
                self.hung_methods.add(exchange.method)
            raise NoResponse(exchange, timeout, self.last_grace if exchange.dropped else None)
        return exchange

    def _wait_while_alive(self, exchange: Exchange, waited: float) -> str:
        """A request that outlived its timeout on a server that still answers pings: working,
        not hung. It gets up to `SLOW_CAP_FACTOR` timeouts in all; answered by then, it is
        marked `slow` (a WARN, LIVE-01); still silent, it is cancelled and a hang after all.
        """
        if exchange.method in self.hung_methods or exchange.method == self.harmless_method:
            return "timeout"  # already known to hang, or the sentinel itself went unanswered
        sentinel = self.send_request(self.harmless_method, {})
        if self.wait_until(lambda: sentinel.answered, min(waited, HUNG_AGAIN_TIMEOUT)) != "done":
            self.abandon([sentinel])
            self.hung_methods.add(self.harmless_method)
            return "timeout"  # silent on the ping too: hung
        outcome = self.wait_until(lambda: exchange.answered, waited * (SLOW_CAP_FACTOR - 1))
        if outcome == "done":
            exchange.slow = True
            return "done"
        self.notify(
            "notifications/cancelled",
            {"requestId": exchange.id, "reason": "mcp-harness: no answer within the slow cap"},
        )
        return "timeout"

    def wait_until(
        self,
        done: Callable[[], bool],
        timeout: float,
        *,
        drop_grace: float | None = None,
        probe_after: float | None = None,
    ) -> str:
        """Take incoming frames until `done()`; returns "done", "timeout" or "dropped".

        With `drop_grace`, a ping (the sentinel) goes out after `probe_after`
        seconds of waiting (default: at once). Once the sentinel is answered the
        wait gets a grace of a few of its round trips (`grace_after`), at most
        `drop_grace`. A server that answers a later ping but not what we wait for
        has dropped it; waiting out the whole timeout would only repeat that, at
        ten seconds a time (and in every shrinking step of a property run). A
        server slow on everything, the ping too, still gets the whole timeout.
        """
        started = time.monotonic()
        deadline = started + timeout
        probe_at = None
        if drop_grace:
            probe_at = started + (probe_after or 0.0)
        sentinel: Exchange | None = None
        give_up_at = deadline
        try:
            while not done():
                now = time.monotonic()
                if sentinel is None and probe_at is not None and now >= probe_at:
                    sentinel = self.send_request(self.harmless_method, {})
                if sentinel is not None and sentinel.answered and drop_grace and give_up_at == deadline:
                    give_up_at = min(deadline, grace_after(sentinel, drop_grace, DROP_GRACE_FLOOR))
                    self.last_grace = round(give_up_at - (sentinel.received_at or now), 3)
                if now >= give_up_at:
                    return "dropped" if give_up_at < deadline else "timeout"
                waiting_to_probe = sentinel is None and probe_at is not None
                limit = min(probe_at, give_up_at) if waiting_to_probe else give_up_at  # type: ignore[type-var]
                self.pump(max(limit - now, 0.0))
            return "done"
        finally:
            if sentinel is not None and not sentinel.answered:
                self.abandon([sentinel])

    def settle(
        self, window: float, *, timeout: float | None = None, require_answer: bool = True
    ) -> list[Received]:
        """Let the server catch up, then watch a moment; returns the frames since the call.

        The "must not send X" checks need a window in which X would have come.
        A fixed sleep is the slow way to get one: instead a sentinel request
        (ping, or server/discover on 2026-07-28) goes out, and once it is
        answered the server has read everything sent before it; the window then
        lasts a few of the sentinel's round trips (`grace_after`), at most
        `window`. A server that does not answer the sentinel raises NoResponse
        (LIVE-01) or ServerGone (LIVE-02), like any request; with
        `require_answer=False` (a ping the server need not answer yet, as before
        `initialized`) the wait then simply ends after `window`.
        """
        start = len(self.received)
        if require_answer:
            sentinel = self.request(self.harmless_method, {}, timeout=timeout)
        else:
            sentinel = self.send_request(self.harmless_method, {})
            self.wait_until(lambda: sentinel.answered, window)
            if not sentinel.answered:
                self.abandon([sentinel])
                return self.received[start:]
        until = grace_after(sentinel, window, SETTLE_FLOOR)
        while (remaining := until - time.monotonic()) > 0:
            self.pump(remaining)
        return self.received[start:]

    def wait_for_id(self, request_id: Any, timeout: float) -> dict[str, Any] | None:
        """Wait for any response carrying `request_id` (for frames sent raw)."""
        deadline = time.monotonic() + timeout
        start = len(self.received)
        while time.monotonic() < deadline:
            for item in self.received[start:]:
                msg = item.message
                if isinstance(msg, dict) and "method" not in msg and _key(msg.get("id")) == _key(request_id):
                    return msg
            start = len(self.received)
            self.pump(deadline - time.monotonic())
        return None

    def collect(self, seconds: float) -> list[Received]:
        """Read whatever the server sends for `seconds`; returns those frames."""
        start = len(self.received)
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self.pump(remaining)
        return self.received[start:]

    def pump(self, timeout: float) -> bool:
        """Take at most one incoming item; False on timeout. Raises ServerGone."""
        try:
            incoming = self.transport.receive(max(timeout, 0.0))
        except ReadTimeout:
            return False
        except TransportError as exc:
            failure = getattr(exc, "failure", None)
            if failure is not None and failure.request_id is not None:
                exchange = self._pending.pop(_key(failure.request_id), None)
                if exchange is not None:
                    exchange.failure = str(failure.error)
                    exchange.http = failure.http
                    exchange.received_at = time.monotonic()
                    self._done_ids.add(_key(failure.request_id))
                    return True
            raise
        self._dispatch(incoming)
        return True

    def _dispatch(self, incoming: Incoming) -> None:
        messages = incoming.message if isinstance(incoming.message, list) else [incoming.message]
        for message in messages:
            self._dispatch_one(message, incoming)

    def _dispatch_one(self, message: Any, incoming: Incoming) -> None:
        now = time.monotonic()
        record = Received(message=message, channel=incoming.channel, at=now, http=incoming.http)
        self.received.append(record)
        if not isinstance(message, dict):
            return
        if "method" in message and "id" in message:
            self.server_requests.append(message)
            self._answer_server_request(message)
        elif "method" in message:
            self.notifications.append(message)
        elif "id" in message or "result" in message or "error" in message:
            exchange = self._match(message.get("id"))
            if exchange is None:
                if incoming.request_id is not None and message.get("id") is None:
                    # HTTP error bodies with id null still answer the POST they came on
                    exchange = self._pending.pop(_key(incoming.request_id), None)
                    if exchange is not None:
                        exchange.matched_by_post = True
                if exchange is None:
                    if _key(message.get("id")) in self._abandoned:
                        record.answers = "(unawaited)"
                        return
                    if incoming.raw_post:
                        record.answers = "(raw frame)"  # HTTP: the answer to a malformed POST of ours
                        return
                    self.unmatched.append(message)
                    return
            record.answers = exchange.method
            exchange.response = message
            exchange.received_at = now
            if exchange.method in SENTINEL_METHODS and now - exchange.sent_at > SLOW_SENTINEL:
                self.slow_sentinels.add(exchange.method)
            exchange.http = incoming.http or exchange.http
            if exchange.method == "tools/list" and exchange.ok:
                self._remember_tools(exchange.result)
            for observer in self.observers:
                observer.after(exchange)

    def _match(self, response_id: Any) -> Exchange | None:
        key = _key(response_id)
        exchange = self._pending.pop(key, None)
        if exchange is not None:
            self._done_ids.add(key)
            return exchange
        # Same id in another JSON type ("1" for 1): deliver, but flag it (RPC-02).
        for pending_key, candidate in list(self._pending.items()):
            if response_id is not None and str(candidate.id) == str(response_id):
                del self._pending[pending_key]
                candidate.loose_match = True
                self._done_ids.add(pending_key)
                return candidate
        # The id of a frame written in Latin-1 instead of UTF-8: the answer came, mis-encoded,
        # which is STDIO-04's alone (one slip, one rule), not a missing reply (LIVE-01).
        if isinstance(response_id, str):
            for pending_key, candidate in list(self._pending.items()):
                if isinstance(candidate.id, str) and response_id in _mis_encoded(candidate.id):
                    candidate.mis_encoded = True
                    del self._pending[pending_key]
                    self._done_ids.add(pending_key)
                    return candidate
        return None

    def _remember_tools(self, result: Any) -> None:
        tools = result.get("tools") if isinstance(result, dict) else None
        for tool in tools if isinstance(tools, list) else []:
            if isinstance(tool, dict) and isinstance(tool.get("name"), str):
                self.tools[tool["name"]] = tool

    def _answer_server_request(self, message: dict[str, Any]) -> None:
        if self.modern or self._answered_server_requests >= MAX_SERVER_REQUESTS_ANSWERED:
            return  # V5 servers must not send requests (VER-07): do not play along
        self._answered_server_requests += 1
        method = message.get("method")
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": message.get("id")}
        needed = CAPABILITY_OF.get(str(method))
        if self.persona is not None and (method == "ping" or needed in self.client_capabilities):
            reply.update(self.persona.answer(str(method), message.get("params")))  # the scripted client
        elif method == "ping":
            reply["result"] = {}
        elif method == "roots/list" and "roots" in self.client_capabilities:
            reply["result"] = {"roots": []}
        else:
            reply["error"] = {"code": -32601, "message": f"client does not support {method}"}
        try:
            self.transport.send(reply)
        except TransportError:
            pass

    # -- era and version negotiation -------------------------------------------
    def initialize(
        self,
        version: str = LATEST_LEGACY,
        *,
        capabilities: dict[str, Any] | None = None,
        send_initialized: bool = True,
        timeout: float | None = None,
    ) -> Exchange:
        """The legacy handshake (LIFE-01): initialize, then notifications/initialized."""
        params = {
            "protocolVersion": version,
            "capabilities": self.client_capabilities if capabilities is None else capabilities,
            "clientInfo": CLIENT_INFO,
        }
        exchange = self.request("initialize", params, timeout=timeout)
        result = exchange.result if isinstance(exchange.result, dict) else None
        if result is not None:
            negotiated = result.get("protocolVersion")
            self.state = ServerState(
                era="legacy",
                protocol_version=negotiated if isinstance(negotiated, str) else version,
                capabilities=result.get("capabilities") or {},
                server_info=result.get("serverInfo") or {},
                instructions=result.get("instructions"),
                init_result=result,
            )
            if self.transport.kind == "http" and self.state.protocol_version not in (
                "2024-11-05",
                "2025-03-26",
            ):
                self.transport.protocol_version = self.state.protocol_version  # type: ignore[attr-defined]
            if send_initialized:
                self.notify("notifications/initialized")
        return exchange

    def discover(self, version: str = MODERN, *, timeout: float | None = None) -> Exchange:
        """`server/discover` with a modern `_meta` (HARN-01); adopts the modern era on success."""
        previous = self.state
        self.state = ServerState(era="modern", protocol_version=version)
        try:
            exchange = self.request("server/discover", {}, timeout=timeout)
        except Exception:
            self.state = previous
            raise
        result = exchange.result if isinstance(exchange.result, dict) else None
        if result is None:
            self.state = previous
            return exchange
        meta = result.get("_meta") or {}
        if self.transport.kind == "http":
            self.transport.protocol_version = version  # type: ignore[attr-defined]
        self.state = ServerState(
            era="modern",
            protocol_version=version,
            capabilities=result.get("capabilities") or {},
            server_info=meta.get(META_SERVER_INFO) or {},
            instructions=result.get("instructions"),
            init_result=result,
        )
        return exchange

    def open(self, version: str) -> Exchange:
        """Start the session at `version` (an exact version string)."""
        if version == MODERN:
            exchange = self.discover(version)
            if self.state.era != "modern":  # discover failed: keep the era asked for (VER-03 judges)
                self.state = ServerState(era="modern", protocol_version=version)
            return exchange
        return self.initialize(version)

    # -- helpers for suites -------------------------------------------------------
    def list_all(self, method: str, key: str, *, max_pages: int = 50) -> Iterator[tuple[Exchange, list[Any]]]:
        """Walk a paginated list method page by page (PAGE-01), yielding each page."""
        cursor: Any = None
        seen_cursors: set[str] = set()
        for _ in range(max_pages):
            params = {} if cursor is None else {"cursor": cursor}
            exchange = self.request(method, params)
            result = exchange.result if isinstance(exchange.result, dict) else {}
            items = result.get(key) if isinstance(result.get(key), list) else []
            yield exchange, items
            cursor = result.get("nextCursor")
            if cursor is None or not exchange.ok:
                return
            marker = json.dumps(cursor)
            if marker in seen_cursors:
                return
            seen_cursors.add(marker)

    def close(self) -> None:
        close = getattr(self.transport, "close", None)
        if close:
            close()


def _key(value: Any) -> str:
    """Type-exact id key: 1 and "1" differ (RPC-02).

    The text json.dumps gives, with a fast path for the usual ids: this runs
    three times per request, and json.dumps(sort_keys=True) builds an encoder
    each time.
    """
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str and value.isalnum() and value.isascii():
        return f'"{value}"'
    return json.dumps(value, sort_keys=True)


def _mis_encoded(text: str) -> set[str]:
    """What `text` reads as when a server wrote it in Latin-1 and it was read back as Latin-1
    (unencodable characters replaced), or wrote its UTF-8 bytes and they were read as Latin-1."""
    return {
        text.encode("latin-1", errors="replace").decode("latin-1"),
        text.encode("utf-8", errors="replace").decode("latin-1"),
    } - {text}


def _header_value(value: str) -> str:
    """Mcp-Name must be a header-safe string; non-ASCII goes base64-encoded (HTTP-M04)."""
    import base64

    if value.isascii() and value.isprintable() and value == value.strip():
        return value
    return "=?base64?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


__all__ = [
    "CLIENT_INFO",
    "LATEST_LEGACY",
    "MODERN",
    "Exchange",
    "NoResponse",
    "Received",
    "ServerGone",
    "ServerState",
    "Session",
]
