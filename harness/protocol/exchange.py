"""What a session exchanged with a server: requests with their answers, frames, state.

Checks judge these and nothing else, so they live apart from the JSON-RPC peer
(`harness.protocol.session`): a check never imports the code that talks to a
server, and a unit test can build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.transport.base import HttpInfo

# The 2026-07-28 per-request `_meta` keys.
META_VERSION = "io.modelcontextprotocol/protocolVersion"
META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"
META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo"
META_LOG_LEVEL = "io.modelcontextprotocol/logLevel"
META_SERVER_INFO = "io.modelcontextprotocol/serverInfo"


class NoResponse(Exception):
    """A request got no response within the timeout (LIVE-01 material).

    `dropped` is set when the wait ended early because the server answered a
    ping sent after the request and still said nothing about the request.
    """

    def __init__(self, exchange: Exchange, timeout: float, dropped: float | None = None) -> None:
        what = f"no response to {exchange.method!r} (id {exchange.request.get('id')!r})"
        if dropped is None:
            text = f"{what} within {timeout:g}s"
        else:
            text = (
                f"{what}: dropped - the server answered a ping sent after it, then stayed silent on "
                f"it for {dropped:g}s more"
            )
        super().__init__(text)
        self.exchange = exchange
        self.timeout = timeout
        self.dropped = dropped


@dataclass
class Exchange:
    """One request we sent and what came back for it."""

    method: str
    request: dict[str, Any]
    sent_at: float
    response: dict[str, Any] | None = None
    received_at: float | None = None
    http: HttpInfo | None = None
    failure: str | None = None  # a transport-level failure for this request (HTTP 4xx, no JSON body)
    loose_match: bool = False  # matched only after converting ids to strings (RPC-02)
    matched_by_post: bool = False  # HTTP: an id-null error body matched by the POST it answered
    before: Any = None  # an observer's note taken when the request left (sandbox fingerprints)
    changes: list[Any] = field(default_factory=list)  # what an observer saw change meanwhile
    dropped: bool = False  # no answer, though the server answered a ping sent after it (wait())
    mis_encoded: bool = False  # its id came back Latin-1, not UTF-8: STDIO-04's, not RPC-02's
    slow: bool = False  # answered, but only after the timeout, while the server answered pings

    @property
    def id(self) -> Any:
        return self.request.get("id")

    @property
    def answered(self) -> bool:
        return self.response is not None or self.failure is not None

    @property
    def result(self) -> Any:
        return self.response.get("result") if self.response else None

    @property
    def error(self) -> dict[str, Any] | None:
        err = self.response.get("error") if self.response else None
        return err if isinstance(err, dict) else None

    @property
    def code(self) -> Any:
        return self.error.get("code") if self.error else None

    @property
    def ok(self) -> bool:
        return self.response is not None and "result" in self.response and "error" not in self.response

    @property
    def elapsed(self) -> float | None:
        return None if self.received_at is None else self.received_at - self.sent_at


@dataclass
class Received:
    """A frame from the server and, when it is a response, the method it answers."""

    message: Any
    channel: str
    at: float
    answers: str | None = None  # request method for responses
    http: HttpInfo | None = None


@dataclass
class ServerState:
    """What the handshake (or discovery) told us about the server."""

    era: str = "unknown"  # legacy | modern
    protocol_version: str | None = None
    capabilities: dict[str, Any] = field(default_factory=dict)
    server_info: dict[str, Any] = field(default_factory=dict)
    instructions: str | None = None
    init_result: dict[str, Any] | None = None
