"""JSON-RPC error type, codes and the per-request context handed to features.

Features raise `RpcError` instead of building error dicts so the dispatcher alone
decides the wire shape (and the faults that bend it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .faults import Faults
from .versions import LOG_LEVELS

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
RESOURCE_NOT_FOUND = -32002
HEADER_MISMATCH = -32020
UNSUPPORTED_VERSION = -32022

NO_TOKEN = object()  # a progressToken may legitimately be any JSON value, so use a sentinel


class RpcError(Exception):
    """A JSON-RPC error to send back for the current request."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def as_error(self) -> dict:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            err["data"] = self.data
        return err


class NoResponse(Exception):
    """The request must get no response at all (it was cancelled)."""


@dataclass
class Ctx:
    """Everything a feature handler may need about the request it serves."""

    version: str
    modern: bool
    faults: Faults
    emit: Callable[[dict], None]
    state: Any  # core.ServerState (shared, thread-safe counters and keys)
    cancelled: threading.Event = field(default_factory=threading.Event)
    progress_token: Any = NO_TOKEN
    log_threshold: str | None = None  # None: send no notifications/message for this request
    after: list[dict] = field(default_factory=list)  # messages to send after the response
    server_request: Callable[[str, dict], None] | None = None

    def fault(self, name: str) -> bool:
        return self.faults.on(name, self.version)

    def log(self, level: str, data: Any, logger: str = "spec-server") -> None:
        """Emit notifications/message if this request asked for logs at `level` or below."""
        if self.log_threshold is None or LOG_LEVELS.index(level) < LOG_LEVELS.index(self.log_threshold):
            return
        wire_level = "verbose" if self.fault("LOG-02-bad-level-name") else level
        self.emit(
            {
                "jsonrpc": "2.0",
                "method": "notifications/message",
                "params": {"level": wire_level, "logger": logger, "data": data},
            }
        )
