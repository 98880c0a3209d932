"""What every transport offers the session: send frames, receive frames, close.

A transport moves bytes and JSON values. It knows nothing of JSON-RPC ids or
rule ids; it only reports what it saw (including bytes that were not JSON) so
that checks higher up can judge them.
"""

from __future__ import annotations

import json
import queue
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.transport.transcript import Transcript


class TransportError(Exception):
    """The connection to the server broke; carries a short explanation."""


class ServerGone(TransportError):
    """The server process exited or closed its output."""

    def __init__(self, message: str, returncode: int | None = None) -> None:
        super().__init__(message)
        self.returncode = returncode


class ServerNotStarted(TransportError):
    """The server could not be started at all (bad command, refused connection)."""


class ReadTimeout(TransportError):
    """Nothing arrived within the wait."""


@dataclass
class HttpInfo:
    """How an HTTP exchange went, for the HTTP-* checks."""

    method: str
    status: int
    headers: dict[str, str]
    content_type: str
    body: bytes = b""
    sse_events: list[dict[str, str]] = field(default_factory=list)
    request_headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Incoming:
    """One JSON value from the server, with where it came from."""

    message: Any
    channel: str
    http: HttpInfo | None = None
    request_id: Any = None  # HTTP only: the id of the POST this arrived on
    raw_post: bool = False  # HTTP only: it answers a POST whose body we sent raw (malformed on purpose)


@dataclass
class Failure:
    """Queued instead of a message when an exchange failed below JSON-RPC."""

    error: TransportError
    request_id: Any = None
    http: HttpInfo | None = None


class Transport(Protocol):
    transcript: Transcript
    kind: str

    def start(self) -> None: ...

    def send(self, message: Any, headers: dict[str, str] | None = None) -> None: ...

    def send_raw(self, data: bytes, headers: dict[str, str] | None = None) -> None: ...

    def receive(self, timeout: float) -> Incoming: ...

    def alive(self) -> bool: ...

    def close(self) -> None: ...


# One encoder for every frame: json.dumps with non-default options builds a new
# JSONEncoder per call, a visible share of a round trip.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode(message: Any) -> bytes:
    """Compact UTF-8 JSON, no newline inside (STDIO-01 applies to us as a client too)."""
    return _ENCODER.encode(message).encode("utf-8")


class Inbox:
    """A bounded queue of Incoming/Failure items shared by reader threads.

    A SimpleQueue, because the hand-off from the reader thread happens once per
    frame and queue.Queue's condition variables cost more than the rest of a
    round trip; the bound is kept by making a producer wait while the queue is
    full (so a flooding server ends up blocked on its own pipe).
    """

    def __init__(self, maxsize: int = 10000) -> None:
        self._queue: queue.SimpleQueue[Incoming | Failure] = queue.SimpleQueue()
        self.maxsize = maxsize

    def put(self, item: Incoming | Failure) -> None:
        while self._queue.qsize() >= self.maxsize and not isinstance(item, Failure):
            time.sleep(0.01)
        self._queue.put(item)

    def get(self, timeout: float) -> Incoming | Failure:
        try:
            if timeout <= 0:
                return self._queue.get_nowait()
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            raise ReadTimeout(f"no message within {timeout:.1f}s") from None
