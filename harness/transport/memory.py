"""In-memory transport: the server is a Python function, as in httpx's MockTransport.

Why it exists: every session test used to start a process, so matching, drop
detection and the checks fed by a session could only be proven end to end, at
the cost of a subprocess and real seconds per test. Here a handler plays the
server and its replies go straight into the inbox when the client sends, so
`harness.protocol.session.Session` runs unchanged with no thread and no process.

The handler is called with each value the client sends (for `send_raw`, the
parsed JSON value, or the bytes themselves when they do not parse) and returns
what the server says back:

- a `dict` (or any JSON value other than a list): one frame;
- a `list`: several frames, one after the other (each item may itself be any
  of these forms); a batch reply, a JSON array in one frame, is sent as bytes;
- `bytes`: written as they are; JSON is delivered, anything else is recorded
  as noise (a bad frame), exactly what a reader would make of them;
- `Later(reply, after)`: `reply` arrives `after` seconds from now (a late
  answer, without a thread: `receive` waits for it);
- a `ServerGone`: the server went away; every later read raises it;
- another `TransportError`: the request that was sent failed below JSON-RPC
  (what an HTTP 500 without a JSON body is);
- `None`: silence.

A test can also speak first with `transport.push(reply, after=...)`.

    transport = MemoryTransport(lambda m: answer(m, {}) if m.get("method") == "ping" else None)
    session = Session(transport, timeout=0.5)
    assert session.request("ping").ok
"""

from __future__ import annotations

import heapq
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.transport.base import (
    Failure,
    Inbox,
    Incoming,
    ReadTimeout,
    ServerGone,
    TransportError,
    encode,
)
from harness.transport.transcript import Transcript

Handler = Callable[[Any], Any]
NOT_JSON_NOTE = "not JSON"


@dataclass(frozen=True)
class Later:
    """A reply held back for `after` seconds: a late answer without a thread."""

    reply: Any
    after: float


class RequestFailed(TransportError):
    """A queued per-request Failure surfaced to the reader; `Session.pump` matches it by id."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(str(failure.error))
        self.failure = failure


def answer(request: Any, result: Any) -> dict[str, Any]:
    """The success response to `request`, echoing its id as sent."""
    return {"jsonrpc": "2.0", "id": _id_of(request), "result": result}


def refuse(request: Any, code: int, message: str = "refused", data: Any = None) -> dict[str, Any]:
    """The error response to `request`, echoing its id as sent."""
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": _id_of(request), "error": error}


class MemoryTransport:
    """A server played by `handler(message)`; see the module docstring for the reply forms.

    `kind` is what the session sees ("stdio" by default; "http" makes the
    session add its per-request headers, recorded in `headers`, and ties each
    reply to the request it answers, as a POST's response is).
    """

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        kind: str = "stdio",
        transcript: Transcript | None = None,
    ) -> None:
        self.handler: Handler = handler or (lambda _message: None)
        self.kind = kind
        self.channel = "stdio" if kind == "stdio" else kind
        self.transcript = transcript or Transcript()
        self.inbox = Inbox()
        self.sent: list[Any] = []  # every value the client sent, as the server saw it
        self.headers: list[dict[str, str] | None] = []  # the headers of each send, in the same order
        self.protocol_version: str | None = None  # the session sets it on kind="http", as on HttpTransport
        self.gone: ServerGone | None = None
        self.closed = False
        self._later: list[tuple[float, int, Any, Any, bool]] = []  # (due, seq, reply, request_id, raw)
        self._seq = itertools.count()

    # -- life cycle ---------------------------------------------------------
    def start(self) -> None:
        self.transcript.record("event", self.channel, "in-memory server ready")

    def alive(self) -> bool:
        return not self.closed and self.gone is None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.transcript.record("event", self.channel, "closed")

    def __enter__(self) -> MemoryTransport:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- sending ------------------------------------------------------------
    def send(self, message: Any, headers: dict[str, str] | None = None) -> None:
        self._writable()
        self.transcript.record("send", self.channel, encode(message), message)
        self._serve(message, headers, raw=False)

    def send_raw(self, data: bytes, headers: dict[str, str] | None = None) -> None:
        self._writable()
        self.transcript.record("send", self.channel, data)
        try:
            message: Any = json.loads(data)
        except (ValueError, RecursionError):
            message = data
        self._serve(message, headers, raw=True)

    def push(self, reply: Any, after: float = 0.0) -> None:
        """Let the server speak unasked (now, or `after` seconds from now)."""
        self._deliver(Later(reply, after) if after > 0 else reply, request_id=None, raw=False)

    # -- receiving ----------------------------------------------------------
    def receive(self, timeout: float) -> Incoming:
        """The next frame; waits at most `timeout` seconds, releasing `Later` replies as they fall due."""
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            self._release_due()
            now = time.monotonic()
            wake = min(deadline, self._later[0][0]) if self._later else deadline
            try:
                item = self.inbox.get(wake - now)
            except ReadTimeout:
                if time.monotonic() >= deadline and not self._due():
                    raise ReadTimeout(f"no message within {timeout:.1f}s") from None
                continue
            if isinstance(item, Incoming):
                return item
            if isinstance(item.error, ServerGone):
                self.inbox.put(item)  # gone stays gone, for every later reader too
                raise item.error
            raise RequestFailed(item)

    # -- the server side ------------------------------------------------------
    def _writable(self) -> None:
        if self.closed:
            raise ServerGone("transport closed")
        if self.gone is not None:
            raise ServerGone(f"server closed its input ({self.gone})")

    def _serve(self, message: Any, headers: dict[str, str] | None, *, raw: bool) -> None:
        self.sent.append(message)
        self.headers.append(headers)
        request_id = _id_of(message) if _is_request(message) else None
        self._deliver(self.handler(message), request_id=request_id, raw=raw)

    def _deliver(self, reply: Any, *, request_id: Any, raw: bool) -> None:
        if reply is None:
            return
        if isinstance(reply, Later):
            due = time.monotonic() + reply.after
            heapq.heappush(self._later, (due, next(self._seq), reply.reply, request_id, raw))
        elif isinstance(reply, list):
            for item in reply:
                self._deliver(item, request_id=request_id, raw=raw)
        elif isinstance(reply, ServerGone):
            self.gone = reply
            self.transcript.record("event", self.channel, f"server gone: {reply}")
            self.inbox.put(Failure(reply))
        elif isinstance(reply, TransportError):
            self.inbox.put(Failure(reply, request_id))
        elif isinstance(reply, (bytes, bytearray)):
            self._deliver_bytes(bytes(reply), request_id=request_id, raw=raw)
        else:
            self._frame(encode(reply), reply, request_id=request_id, raw=raw)

    def _deliver_bytes(self, data: bytes, *, request_id: Any, raw: bool) -> None:
        try:
            message = json.loads(data)
        except (ValueError, RecursionError):
            self.transcript.record("noise", self.channel, data[:512], note=NOT_JSON_NOTE)
            return
        self._frame(data, message, request_id=request_id, raw=raw)

    def _frame(self, data: bytes, message: Any, *, request_id: Any, raw: bool) -> None:
        self.transcript.record("recv", self.channel, data, message)
        http = self.kind == "http"
        self.inbox.put(
            Incoming(
                message=message,
                channel=self.channel,
                request_id=request_id if http else None,
                raw_post=raw and http,
            )
        )

    def _due(self) -> bool:
        return bool(self._later) and self._later[0][0] <= time.monotonic()

    def _release_due(self) -> None:
        while self._due():
            _due, _seq, reply, request_id, raw = heapq.heappop(self._later)
            self._deliver(reply, request_id=request_id, raw=raw)


def _is_request(message: Any) -> bool:
    return isinstance(message, dict) and "method" in message and "id" in message


def _id_of(message: Any) -> Any:
    return message.get("id") if isinstance(message, dict) else None


__all__ = ["Later", "MemoryTransport", "RequestFailed", "answer", "refuse"]
