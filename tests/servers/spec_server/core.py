"""Transport-agnostic JSON-RPC dispatcher of the spec server, for both eras.

A transport hands each incoming frame (one stdio line, one POST body) to
`Server.accept`, which parses it and registers in-flight requests *in arrival
order* (so a `notifications/cancelled` that follows can find its request), and
returns a `Work`. Running the work returns the messages to send back, response
first; notifications produced while working (progress, logs) go through `emit`
as they happen. Slow work (`tools/call`) is marked `concurrent` so a transport can
run it on its own thread and keep reading.

Era selection (LIFE-09, this server is dual-era): `initialize` puts a connection
(the stdio process, or one HTTP session) into the legacy era at the negotiated
version. A request on a connection that never initialized is modern (2026-07-28)
and must carry the `_meta` version and capabilities, except `ping` without modern
`_meta`, which is answered as a legacy pre-initialize ping (PING-01 allows pings
before `initialize` completes). Without 2026-07-28 in `--versions`, such requests
get -32600 "not initialized" instead (LIFE-07 leaves the code open; -32002 would
clash with resource-not-found).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import features
from .faults import Faults
from .rpc import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    NO_TOKEN,
    PARSE_ERROR,
    UNSUPPORTED_VERSION,
    Ctx,
    NoResponse,
    RpcError,
)
from .versions import (
    ALL,
    LEGACY,
    LOG_LEVELS,
    META_CAPS,
    META_LOG_LEVEL,
    META_SERVER_INFO,
    META_VERSION,
    MODERN,
    V2,
    V3,
)

Emit = Callable[[dict], None]
_CACHEABLE = {
    "server/discover",
    "tools/list",
    "prompts/list",
    "resources/list",
    "resources/templates/list",
    "resources/read",
}
_DEEP_TOKEN = json.dumps(features.DEEP_PLACEHOLDER)


def encode(msg: Any, indent: int | None = None) -> str:
    """Serialise one outgoing message (UTF-8 text, no ASCII escaping, compact by default)."""
    text = json.dumps(msg, ensure_ascii=False, separators=None if indent else (",", ":"), indent=indent)
    if _DEEP_TOKEN in text:  # RPC-01-deep-nesting: json.dumps itself would hit the recursion limit
        text = text.replace(_DEEP_TOKEN, "[" * 100_000 + "]" * 100_000)
    return text


def _id_key(value: Any) -> tuple[str, Any]:
    """Request ids compare with their JSON type: 7 and "7" are different requests."""
    return (type(value).__name__, value)


def _usable_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


@dataclass
class Conn:
    """One peer: the stdio process, one legacy HTTP session, or one modern HTTP request.

    `send` carries messages that belong to no request (server->client requests of the
    roots loop); `transport` lets stdio-only faults stay on stdio.
    """

    transport: str = "stdio"
    send: Emit = lambda msg: None
    version: str | None = None  # the negotiated legacy version, once initialize succeeded
    initialized: bool = False
    client_caps: dict = field(default_factory=dict)
    log_level: str | None = None
    inflight: dict[tuple[str, Any], threading.Event] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False


@dataclass
class Work:
    """Phase two of handling a frame; call it to get the messages to send."""

    run: Callable[[], list[Any]]
    concurrent: bool = False

    def __call__(self) -> list[Any]:
        return self.run()


class Server:
    """The dispatcher. One per process; connections are passed in per frame."""

    def __init__(self, faults: Faults | None = None, versions: tuple[str, ...] = ALL) -> None:
        self.faults = faults or Faults()
        self.versions = tuple(v for v in ALL if v in versions)
        self.legacy = tuple(v for v in self.versions if v in LEGACY)
        self.modern = tuple(v for v in self.versions if v in MODERN)
        self.state = features.State()
        self._ids = 0
        self._ids_lock = threading.Lock()

    # ------------------------------------------------------------------ small helpers

    def server_info(self, version: str | None) -> dict:
        info = {"name": features.SERVER_NAME, "version": features.SERVER_VERSION}
        if version and version >= V3:
            info["title"] = "MCP harness spec server"
        return info

    def next_server_id(self) -> str:
        with self._ids_lock:
            self._ids += 1
            return f"srv-{self._ids}"

    def default_version(self, conn: Conn) -> str:
        """The version faults are scoped by when nothing better is known."""
        return conn.version or (self.modern or self.legacy)[-1]

    def reply(self, version: str, id_: Any, result: Any = None, error: RpcError | None = None) -> dict:
        if _usable_id(id_) and isinstance(id_, int) and self.faults.on("RPC-02-id-as-string", version):
            id_ = str(id_)
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": id_}
        if error is not None:
            msg["error"] = error.as_error()
            if self.faults.on("RPC-04-no-error-message", version):
                msg["error"].pop("message", None)
        else:
            msg["result"] = result
        if self.faults.on("RPC-01-no-jsonrpc-field", version):
            del msg["jsonrpc"]
        return msg

    def parse_error(self, conn: Conn) -> list[Any]:
        version = self.default_version(conn)
        if self.faults.on("RPC-08-exit-on-parse-error", version):  # stdio only (Faults filters)
            sys.stderr.write("spec-server: exiting on a line that is not JSON (fault)\n")
            sys.stderr.flush()
            os._exit(3)
        if self.faults.on("RPC-08-silent-on-parse-error", version):
            return []
        code = INVALID_REQUEST if self.faults.on("RPC-08-wrong-code", version) else PARSE_ERROR
        return [self.reply(version, None, error=RpcError(code, "Parse error"))]

    def _with_hostile_extras(self, version: str, out: list[Any]) -> list[Any]:
        if out and isinstance(out[0], dict) and "id" in out[0]:
            if self.faults.on("RPC-02-duplicate-ids", version):
                out.insert(1, dict(out[0]))
            if self.faults.on("RPC-02-phantom-response", version):
                out.insert(1, {"jsonrpc": "2.0", "id": f"phantom-{self.next_server_id()}", "result": {}})
        return out

    # ------------------------------------------------------------------ entry points

    def accept(self, raw: str | bytes, conn: Conn, emit: Emit) -> Work:
        """Parse one frame; register requests in flight now; defer the real work."""
        if self.faults.on("LIVE-01-never-answer"):
            return Work(lambda: [])
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            msg = json.loads(text)
        except (ValueError, RecursionError):
            return Work(lambda: self.parse_error(conn))
        if isinstance(msg, list):
            return Work(lambda: self._batch(msg, conn, emit))
        if (
            conn.version is None
            and isinstance(msg, dict)
            and msg.get("method") not in (None, "initialize", "server/discover", "ping")
            and "id" in msg
            and self.faults.on("LIFE-07-crash-before-initialize", self.legacy[-1] if self.legacy else None)
        ):
            os._exit(3)  # the fault: a request before initialize kills the process
        return self._accept_message(msg, conn, emit)

    def handle_frame(self, raw: str | bytes, conn: Conn, emit: Emit) -> list[Any]:
        """Convenience: accept and run in one go (what tests and simple callers want)."""
        return self.accept(raw, conn, emit)()

    # ------------------------------------------------------------------ batches (RPC-12)

    def _batch(self, items: list[Any], conn: Conn, emit: Emit) -> list[Any]:
        version = self.default_version(conn)
        # Before initialize a dual-era connection is modern (no batches); legacy-only: not initialized.
        era = conn.version or (self.modern[-1] if self.modern else None)
        accepted = era is not None and era <= V2
        if era == V2 and self.faults.on("RPC-12-reject-batch-v2", era):
            accepted = False
        if era is not None and era >= V3:  # the two faults are the same behaviour, split by transport
            accepted = self.faults.on("RPC-12-accept-batch-v3", era) or self.faults.on(
                "RPC-12-accept-batch-v3-http", era
            )
        if not items or not accepted:
            why = "Empty batch" if not items else "Batch requests are not supported at this protocol version"
            return [self.reply(version, None, error=RpcError(INVALID_REQUEST, why))]
        replies: list[Any] = []
        after: list[Any] = []
        for item in items:
            if isinstance(item, dict) and item.get("method") == "initialize":
                replies.append(
                    self.reply(
                        version,
                        item.get("id") if _usable_id(item.get("id")) else None,
                        error=RpcError(INVALID_REQUEST, "initialize must not be batched"),
                    )
                )
                continue
            out = self._accept_message(item, conn, emit)()
            for msg in out:
                is_response = isinstance(msg, dict) and "id" in msg and "method" not in msg
                (replies if is_response else after).append(msg)
        return ([replies] if replies else []) + after

    # ------------------------------------------------------------------ single messages

    def _accept_message(self, msg: Any, conn: Conn, emit: Emit) -> Work:
        version = self.default_version(conn)
        if not isinstance(msg, dict):
            return Work(lambda: [self._invalid(version, None)])
        method = msg.get("method")
        if "method" not in msg and "id" in msg and ("result" in msg or "error" in msg):
            return Work(lambda: [])  # a client's answer to one of our requests: nothing to say
        id_ = msg.get("id")
        structurally_ok = msg.get("jsonrpc") == "2.0" and isinstance(method, str)
        if not structurally_ok:
            if not self.faults.on("RPC-09-accept-invalid", version):
                return Work(lambda: [self._invalid(version, id_ if _usable_id(id_) else None)])
            if not isinstance(method, str):
                return Work(lambda: [self.reply(version, id_ if _usable_id(id_) else None, result={})])
        if "id" not in msg:
            return Work(lambda: self._notification(method, msg.get("params"), conn, emit))
        if not _usable_id(id_) and not (id_ is None and self.faults.on("RPC-07-accept-null-id", version)):
            return Work(lambda: [self._invalid(version, None, "Request id must be a string or an integer")])
        params = msg.get("params", {})
        key = _id_key(id_)
        cancel = threading.Event()
        with conn.lock:
            conn.inflight[key] = cancel

        def run() -> list[Any]:
            try:
                return self._request(id_, method, params, conn, emit, cancel)
            finally:
                with conn.lock:
                    if conn.inflight.get(key) is cancel:
                        del conn.inflight[key]

        return Work(run, concurrent=method == "tools/call")

    def _invalid(self, version: str, id_: Any, why: str = "Invalid Request") -> dict:
        code = INTERNAL_ERROR if self.faults.on("RPC-09-wrong-code", version) else INVALID_REQUEST
        return self.reply(version, id_, error=RpcError(code, why))

    def _notification(self, method: str, params: Any, conn: Conn, emit: Emit) -> list[Any]:
        version = self.default_version(conn)
        params = params if isinstance(params, dict) else {}
        if method == "notifications/initialized":
            conn.initialized = True
            if conn.version and self.faults.on("CAP-02-undeclared-list-changed", conn.version):
                emit({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
            if conn.version and self.faults.on("CAP-03-roots-list-loop", version):
                threading.Thread(target=self._roots_loop, args=(conn,), daemon=True).start()
            null_id = conn.version and self.faults.on("RPC-06-null-request-id", conn.version)
            if null_id and "roots" in conn.client_caps:
                emit({"jsonrpc": "2.0", "id": None, "method": "roots/list"})  # a request id must not be null
            if conn.version and self.faults.on("LIFE-05-answer-initialized", conn.version):
                return [{"jsonrpc": "2.0", "id": None, "result": {}}]
            return []
        if method == "notifications/cancelled":
            request_id = params.get("requestId")
            with conn.lock:  # a malformed requestId (object, null) names no request: ignore it (CANC-02)
                event = conn.inflight.get(_id_key(request_id)) if _usable_id(request_id) else None
            if event is None and self.faults.on("CANC-02-loose-cancel", version):
                with conn.lock:
                    loose = (e for (_t, v), e in conn.inflight.items() if str(v) == str(request_id))
                    event = next(loose, None)
            if event is not None:
                event.set()
            elif self.faults.on("RPC-05-answer-unknown-cancel", version):
                return [
                    {
                        "jsonrpc": "2.0",
                        "id": None,
                        "error": {"code": INVALID_PARAMS, "message": "Unknown request id"},
                    }
                ]
            return []
        known = {"notifications/roots/list_changed", "notifications/progress"}
        if method not in known and self.faults.on("RPC-05-answer-notifications", version):
            return [
                {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {"code": METHOD_NOT_FOUND, "message": f"Method not found: {method}"},
                }
            ]
        return []

    def _roots_loop(self, conn: Conn) -> None:
        """CAP-03-roots-list-loop: pester a client that never declared roots."""
        while not conn.closed:
            conn.send({"jsonrpc": "2.0", "id": self.next_server_id(), "method": "roots/list"})
            time.sleep(0.05)

    # ------------------------------------------------------------------ requests

    def _request(
        self, id_: Any, method: str, params: Any, conn: Conn, emit: Emit, cancel: threading.Event
    ) -> list[Any]:
        modern = self._is_modern(conn, method, params)
        version = self.default_version(conn) if not modern else self.modern[-1]
        ctx = Ctx(
            version=version, modern=modern, faults=self.faults, emit=emit, state=self.state, cancelled=cancel
        )
        try:
            if not isinstance(params, dict):
                if method == "tools/call" and self.faults.on("RPC-11-accept-bad-params", version):
                    return self._with_hostile_extras(version, [self.reply(version, id_, {"content": []})])
                raise features.bad_params(ctx, "params must be an object")
            result = self._modern(method, params, ctx) if modern else self._legacy(method, params, conn, ctx)
        except NoResponse:
            return []
        except RpcError as err:
            out = [self.reply(ctx.version, id_, error=err)]
            if err.code == METHOD_NOT_FOUND and self.faults.on("RPC-03-result-and-error", ctx.version):
                out[0]["result"] = {}
            return self._with_hostile_extras(ctx.version, out)
        return self._with_hostile_extras(ctx.version, [self.reply(ctx.version, id_, result), *ctx.after])

    def _is_modern(self, conn: Conn, method: str, params: Any) -> bool:
        if conn.version is not None or method == "initialize" or not self.modern:
            return False
        meta = params.get("_meta") if isinstance(params, dict) else None
        has_modern_meta = isinstance(meta, dict) and (META_VERSION in meta or META_CAPS in meta)
        return not (method == "ping" and not has_modern_meta and self.legacy)

    def _unknown_method(self, method: str, ctx: Ctx) -> Any:
        if ctx.fault("LIVE-02-exit-on-unknown-method"):  # a stdio-only fault (Faults filters by transport)
            sys.stderr.write("spec-server: exiting on an unknown method (fault)\n")
            sys.stderr.flush()
            os._exit(3)
        if ctx.fault("RPC-10-unknown-method-result"):
            return {}
        code = INVALID_REQUEST if ctx.fault("RPC-10-wrong-code") else METHOD_NOT_FOUND
        raise RpcError(code, f"Method not found: {method}")

    # ------------------------------------------------------------------ legacy era

    def legacy_capabilities(self, version: str) -> dict:
        f = lambda name: self.faults.on(name, version)  # noqa: E731
        caps: dict[str, Any] = {
            "tools": {} if f("CAP-02-undeclared-list-changed") else {"listChanged": True},
            "resources": {"listChanged": True}
            if f("CAP-02-subscribe-undeclared")
            else {"subscribe": True, "listChanged": True},
            "prompts": {"listChanged": True},
            "logging": {},
        }
        if version >= V2:
            caps["completions"] = {}
        for fault, cap in (
            ("CAP-04-log-without-capability", "logging"),
            ("CAP-01-undeclared-prompts", "prompts"),
            ("COMP-01-undeclared-completions", "completions"),
            ("TOOL-13-embedded-without-resources", "resources"),
        ):
            if f(fault):
                caps.pop(cap, None)
        return caps

    def _legacy(self, method: str, params: dict, conn: Conn, ctx: Ctx) -> Any:
        if method == "initialize":
            return self._initialize(params, conn, ctx)
        if method == "ping":
            if ctx.fault("PING-01-slow-ping"):
                time.sleep(2)
            return True if ctx.fault("RPC-03-result-not-object") else {}
        if conn.version is None:
            if method in _LEGACY_METHODS:
                raise RpcError(INVALID_REQUEST, "Server not initialized: send initialize first")
            return self._unknown_method(method, ctx)
        meta = params.get("_meta")
        if isinstance(meta, dict) and "progressToken" in meta:
            ctx.progress_token = meta["progressToken"]
        ctx.log_threshold = self._legacy_log_threshold(conn, ctx)
        if method == "logging/setLevel":
            level = params.get("level")
            if level not in LOG_LEVELS:
                if not ctx.fault("LOG-01-bogus-level-ok"):
                    raise RpcError(INVALID_PARAMS, f"Invalid log level: {level!r}")
                return {}
            conn.log_level = level
            return {}
        if method.startswith("resources/") and ctx.fault("TOOL-13-embedded-without-resources"):
            return self._unknown_method(method, ctx)
        if method == "completion/complete" and ctx.fault("COMP-01-declared-not-served"):
            return self._unknown_method(method, ctx)
        if method in _LEGACY_METHODS:
            if method == "tools/call":
                self._before_tool_call(ctx, params)
            return _LEGACY_METHODS[method](ctx, params)
        return self._unknown_method(method, ctx)

    def _legacy_log_threshold(self, conn: Conn, ctx: Ctx) -> str | None:
        if ctx.fault("CAP-04-log-without-capability"):
            return "info"
        if conn.log_level is None:
            return "info" if ctx.fault("LOG-02-bad-level-name") else None
        return "debug" if ctx.fault("LOG-01-ignore-level") else conn.log_level

    def _before_tool_call(self, ctx: Ctx, params: Any = None) -> None:
        well_formed = isinstance(params, dict) and isinstance(params.get("name"), str)
        # hang on real calls only: malformed ones still get -32602, so the fault breaks LIVE-01 alone
        hang = ctx.fault("LIVE-01-hang-on-tools-call") or ctx.fault("LIVE-01-ignore-sigterm-and-hang")
        if hang and well_formed:
            threading.Event().wait()
        if ctx.fault("STDIO-02-debug-print"):
            ctx.emit({"__raw__": "DEBUG: entering tools/call"})
        if ctx.fault("CAP-03-sampling-undeclared"):
            ctx.emit(
                {
                    "jsonrpc": "2.0",
                    "id": self.next_server_id(),
                    "method": "sampling/createMessage",
                    "params": {
                        "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}],
                        "maxTokens": 10,
                    },
                }
            )
        if ctx.modern and ctx.fault("CANC-04-server-cancel"):
            ctx.emit(
                {
                    "jsonrpc": "2.0",
                    "method": "notifications/cancelled",
                    "params": {"requestId": "spec-server-timeout", "reason": "fault"},
                }
            )
        if ctx.modern and ctx.fault("VER-07-server-request"):
            ctx.emit({"jsonrpc": "2.0", "id": self.next_server_id(), "method": "ping"})

    def _initialize(self, params: dict, conn: Conn, ctx: Ctx) -> dict:
        requested = params.get("protocolVersion")
        if not isinstance(requested, str):
            if self.legacy and self.faults.on("LIFE-04-hang-without-version", self.legacy[-1]):
                raise NoResponse
            raise RpcError(INVALID_PARAMS, "initialize: protocolVersion (string) is required")
        if not self.legacy:
            raise RpcError(
                UNSUPPORTED_VERSION,
                "This server only speaks the stateless era (no initialize)",
                {"supported": list(self.modern), "requested": requested},
            )
        if requested in self.legacy:
            # the fault bites only when the client declares capabilities (a plausible bug)
            ignore = self.faults.on("LIFE-02-ignore-requested-version", requested)
            ignore = ignore and bool(params.get("capabilities"))
            version = self.legacy[-1] if ignore else requested
        elif self.faults.on("LIFE-03-error-on-unknown-version", self.legacy[-1]):
            raise RpcError(
                INVALID_PARAMS,
                "Unsupported protocol version",
                {"supported": list(self.legacy), "requested": requested},
            )
        elif self.faults.on("LIFE-03-echo-unknown-version", self.legacy[-1]):
            version = requested
        else:
            version = self.legacy[-1]
        fault_version = version if version in LEGACY else self.legacy[-1]  # LIFE-03-echo: act as newest
        ctx.version = conn.version = fault_version
        caps = params.get("capabilities")
        conn.client_caps = caps if isinstance(caps, dict) else {}
        result: dict[str, Any] = {
            "protocolVersion": version,
            "capabilities": self.legacy_capabilities(fault_version),
            "serverInfo": self.server_info(fault_version),
            "instructions": "Spec-following MCP test server of mcp-harness (tools, resources, prompts).",
        }
        if ctx.fault("LIFE-01-no-server-info"):
            del result["serverInfo"]
        if ctx.fault("LIFE-06-request-before-initialized") and "roots" in conn.client_caps:
            ctx.after.append({"jsonrpc": "2.0", "id": self.next_server_id(), "method": "roots/list"})
        return result

    # ------------------------------------------------------------------ modern era

    def modern_capabilities(self) -> dict:
        version = self.modern[-1]
        caps: dict[str, Any] = {"tools": {}, "resources": {}, "prompts": {}, "completions": {}, "logging": {}}
        if self.faults.on("CAP-01-undeclared-prompts", version):
            del caps["prompts"]
        if self.faults.on("COMP-01-undeclared-completions", version):
            del caps["completions"]
        if self.faults.on("TOOL-13-embedded-without-resources", version):
            del caps["resources"]
        if self.faults.on("VER-08-unprefixed-extension", version):
            caps["extensions"] = {"tasks": {}}
        return caps

    def check_modern_meta(self, params: dict, ctx: Ctx) -> None:
        """VER-01/VER-02: the per-request `_meta` version and capabilities."""
        meta = params.get("_meta")
        complete = isinstance(meta, dict) and META_VERSION in meta and META_CAPS in meta
        if not complete and not ctx.fault("VER-01-no-meta-ok"):
            raise RpcError(INVALID_PARAMS, f"params._meta must carry {META_VERSION!r} and {META_CAPS!r}")
        meta = meta if isinstance(meta, dict) else {}
        requested = meta.get(META_VERSION, self.modern[-1])
        if requested not in self.modern:
            data = {"supported": list(self.modern), "requested": requested}
            if ctx.fault("VER-02-wrong-code"):
                raise RpcError(INVALID_PARAMS, "Unsupported protocol version", data)
            raise RpcError(
                UNSUPPORTED_VERSION,
                "Unsupported protocol version",
                None if ctx.fault("VER-02-no-data") else data,
            )
        if not isinstance(meta.get(META_CAPS, {}), dict):
            raise RpcError(INVALID_PARAMS, f"{META_CAPS} must be an object")
        level = meta.get(META_LOG_LEVEL)
        if level is not None and level not in LOG_LEVELS:
            if not ctx.fault("LOG-03-bogus-level-ok"):
                raise RpcError(INVALID_PARAMS, f"Invalid {META_LOG_LEVEL}: {level!r}")
            level = None
        ctx.log_threshold = level or ("info" if ctx.fault("LOG-03-log-without-loglevel") else None)
        ctx.progress_token = meta.get("progressToken", NO_TOKEN)

    def _modern(self, method: str, params: dict, ctx: Ctx) -> Any:
        self.check_modern_meta(params, ctx)
        if method.startswith("resources/") and ctx.fault("TOOL-13-embedded-without-resources"):
            return self._unknown_method(method, ctx)
        if method == "completion/complete" and ctx.fault("COMP-01-declared-not-served"):
            return self._unknown_method(method, ctx)
        if method not in _MODERN_METHODS or (method == "server/discover" and ctx.fault("VER-03-no-discover")):
            return self._unknown_method(method, ctx)
        if method == "server/discover":
            self.state.discovered = True
            result: dict[str, Any] = {
                "supportedVersions": list(self.modern),
                "capabilities": self.modern_capabilities(),
                "instructions": "Spec-following MCP test server of mcp-harness (tools, resources, prompts).",
            }
            if ctx.fault("VER-03-discover-no-versions"):
                del result["supportedVersions"]
        else:
            if ctx.fault("VER-05-require-discover") and not self.state.discovered:
                raise RpcError(INVALID_REQUEST, "Call server/discover first")
            if method == "tools/call":
                self._before_tool_call(ctx, params)
            result = _MODERN_METHODS[method](ctx, params)
        return self._decorate_modern(method, params, result, ctx)

    def _decorate_modern(self, method: str, params: dict, result: dict, ctx: Ctx) -> dict:
        """RPC-13 resultType, VER-04 serverInfo, CACHE-01/02 ttlMs and cacheScope."""
        if method == "server/discover" or not ctx.fault("RPC-13-no-result-type"):
            result.setdefault("resultType", "complete")  # needs_input (MRTR faults) sets its own
        if method == "tools/list" and ctx.fault("RPC-13-input-required-on-list"):
            result["resultType"] = "input_required"
        if method == "server/discover" or not ctx.fault("VER-04-no-server-info"):
            result.setdefault("_meta", {})[META_SERVER_INFO] = self.server_info(ctx.version)
        if method in _CACHEABLE:
            if not ctx.fault("CACHE-01-no-ttl"):
                result["ttlMs"] = 60_000
            scope = "public"
            if ctx.fault("CACHE-01-bad-scope"):
                scope = "everyone"
            elif ctx.fault("CACHE-02-mixed-scope") and params.get("cursor") is not None:
                scope = "private"
            result["cacheScope"] = scope
        return result


_LEGACY_METHODS: dict[str, Callable[[Ctx, dict], dict]] = {
    "tools/list": features.list_tools,
    "tools/call": features.call_tool,
    "resources/list": features.list_resources,
    "resources/templates/list": features.list_templates,
    "resources/read": features.read_resource,
    "resources/subscribe": features.subscribe,
    "resources/unsubscribe": features.subscribe,
    "prompts/list": features.list_prompts,
    "prompts/get": features.get_prompt,
    "completion/complete": features.complete,
    "logging/setLevel": lambda ctx, params: {},  # handled in Server._legacy (needs the connection)
}

_MODERN_METHODS: dict[str, Callable[[Ctx, dict], dict]] = {
    "server/discover": lambda ctx, params: {},
    "tools/list": features.list_tools,
    "tools/call": features.call_tool,
    "resources/list": features.list_resources,
    "resources/templates/list": features.list_templates,
    "resources/read": features.read_resource,
    "prompts/list": features.list_prompts,
    "prompts/get": features.get_prompt,
    "completion/complete": features.complete,
}
