"""Tools, resources, prompts, completion and pagination of the spec server.

Every handler takes the request context and its params and returns a result dict
(without the modern-era `resultType`/cache fields: `core.py` adds those) or raises
`RpcError`. Version differences live here, next to the feature they change, so a
reader can see e.g. that `structuredContent` only exists from 2025-06-18.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import struct
import threading
import time
import traceback
import zlib
from typing import Any

from . import interview
from .dialect_faults import extra_tools
from .rpc import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    NO_TOKEN,
    RESOURCE_NOT_FOUND,
    Ctx,
    NoResponse,
    RpcError,
)
from .versions import V2, V3, V4, at_least

PAGE_SIZE = 2
SERVER_NAME = "mcp-harness-spec-server"
SERVER_VERSION = "0.1.0"


def _png_1x1() -> str:
    """A real 1x1 PNG, built here so the bytes are provably valid (magic, CRCs, zlib)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x80\x00")
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode("ascii")


PNG_B64 = _png_1x1()


class State:
    """Process-wide state shared by all connections: the cursor key and fault memory."""

    def __init__(self) -> None:
        self.key = secrets.token_bytes(32)
        self.lock = threading.Lock()
        self.cursor_uses: dict[str, int] = {}
        self.tool_called = False
        self.discovered = False

    def encode_cursor(self, kind: str, offset: int) -> str:
        payload = f"{kind}:{offset}".encode()
        sig = hmac.new(self.key, payload, hashlib.sha256).hexdigest()[:24]
        return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + sig

    def decode_cursor(self, kind: str, cursor: str) -> int | None:
        """Offset of a cursor we issued for `kind`, or None for anything forged or foreign."""
        b64, _, sig = cursor.partition(".")
        try:
            payload = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        except (binascii.Error, ValueError):
            return None
        good = hmac.new(self.key, payload, hashlib.sha256).hexdigest()[:24]
        # bytes: compare_digest refuses str with non-ASCII characters (a forged cursor may have them)
        if not hmac.compare_digest(good.encode(), sig.encode("utf-8", "replace")):
            return None
        got_kind, _, offset = payload.decode("utf-8", "replace").partition(":")
        return int(offset) if got_kind == kind and offset.isdigit() else None


# --------------------------------------------------------------------------- params helpers


def bad_params(ctx: Ctx, message: str) -> RpcError:
    """The error for structurally malformed params (RPC-11), bent by the RPC-11 faults."""
    if ctx.fault("RPC-11-wrong-code"):
        return RpcError(INTERNAL_ERROR, message)
    return RpcError(INVALID_PARAMS, message)


def _str_param(params: dict, key: str) -> str:
    value = params.get(key)
    if not isinstance(value, str):
        raise RpcError(INVALID_PARAMS, f"params.{key} must be a string")
    return value


def paginate(ctx: Ctx, kind: str, items: list[dict], params: dict) -> tuple[list[dict], str | None]:
    """Page `items` by PAGE_SIZE with HMAC-signed opaque cursors (forgeries get -32602)."""
    state: State = ctx.state
    cursor = params.get("cursor")
    offset = 0
    if cursor is not None:
        if not isinstance(cursor, str):
            raise RpcError(INVALID_PARAMS, "cursor must be a string")
        decoded = state.decode_cursor(kind, cursor)
        if decoded is None or decoded >= max(len(items), 1):
            if not ctx.fault("PAGE-02-garbage-cursor-page-one"):
                raise RpcError(INVALID_PARAMS, "invalid or expired cursor")
            decoded = 0
        offset = decoded
        if ctx.fault("PAGE-03-unstable-cursor"):
            with state.lock:
                uses = state.cursor_uses[cursor] = state.cursor_uses.get(cursor, 0) + 1
            if uses % 2 == 0:  # every other use is off by one, so two uses in a row always differ
                offset = min(offset + 1, len(items) - 1)
    page = items[offset : offset + PAGE_SIZE]
    if offset > 0 and ctx.fault("PAGE-01-duplicate-items"):
        page = [items[offset - 1], *page]
    next_offset: int | None = offset + PAGE_SIZE if offset + PAGE_SIZE < len(items) else None
    if ctx.fault("PAGE-01-cursor-loop") and offset >= PAGE_SIZE:
        next_offset = 0
    return page, (state.encode_cursor(kind, next_offset) if next_offset is not None else None)


# --------------------------------------------------------------------------- tools


def _tool_defs(ctx: Ctx) -> list[dict]:
    """The tools as listed at ctx.version (no faults applied)."""
    v = ctx.version
    rich = at_least(v, V3) or ctx.fault("LIFE-08-v3-fields-on-v2")
    obj = {"type": "object", "additionalProperties": False}
    tools: list[dict] = [
        {
            "name": "echo",
            "description": "Return the given text unchanged (non-ASCII included).",
            "inputSchema": {**obj, "properties": {"text": {"type": "string"}}, "required": ["text"]},
        },
        {
            "name": "add",
            "description": "Add two integers.",
            "inputSchema": {
                **obj,
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"],
            },
        },
        {
            "name": "slow",
            "description": "Sleep in 0.1 s steps, reporting progress; stops silently when cancelled.",
            "inputSchema": {
                **obj,
                "properties": {"seconds": {"type": "number", "minimum": 0, "maximum": 30}},
                "required": ["seconds"],
            },
        },
        {
            "name": "fail",
            "description": "Always fails with a tool-execution error (isError: true).",
            "inputSchema": {**obj, "properties": {}},
        },
        {
            "name": "image",
            "description": "Return a 1x1 PNG image.",
            "inputSchema": {**obj, "properties": {}},
        },
    ]
    if at_least(v, V2):
        tools.append(
            {
                "name": "annotated_read",
                "description": "Read-only tool carrying annotations.",
                "inputSchema": {**obj, "properties": {}},
                "annotations": {"readOnlyHint": True, "destructiveHint": False, "openWorldHint": False},
            }
        )
    if rich:
        for tool in tools:
            tool["title"] = tool["name"].replace("_", " ").title()
        tools[1]["outputSchema"] = {
            **obj,
            "properties": {"sum": {"type": "integer"}},
            "required": ["sum"],
        }
    return tools


def _listed_tools(ctx: Ctx) -> list[dict]:
    """The tools as listed, faults applied; every listed tool can also be called."""
    tools = _tool_defs(ctx)
    if ctx.fault("TOOL-01-missing-input-schema"):
        del tools[0]["inputSchema"]
    if ctx.fault("TOOL-02-invalid-schema"):
        tools[0]["inputSchema"]["properties"]["text"] = {"type": 5}
    if ctx.fault("TOOL-08-bad-annotation-type"):
        tools[-1]["annotations"]["readOnlyHint"] = "yes"
    if ctx.fault("TOOL-09-bad-name"):
        tools.append({"name": "bad name, with spaces", "inputSchema": {"type": "object"}})
    if ctx.fault("TOOL-09-duplicate-name"):
        tools.append(dict(tools[0]))
    if ctx.fault("TOOL-15-bad-x-mcp-header"):
        slow = next(t for t in tools if t["name"] == "slow")
        slow["inputSchema"]["properties"]["seconds"]["x-mcp-header"] = "Seconds"
    if ctx.modern and (
        ctx.fault("MRTR-01-empty-input-required") or ctx.fault("MRTR-02-undeclared-elicitation")
    ):
        tools.append(
            {
                "name": "needs_input",
                "description": "Asks the client for input (MRTR).",
                "inputSchema": {"type": "object"},
            }
        )
    if ctx.modern:
        tools.append(dict(interview.TOOL))  # asks for input over several rounds (the client persona)
    if ctx.fault("TOOL-11-list-varies") and ctx.state.tool_called:
        tools.append({"name": "late_tool", "inputSchema": {"type": "object"}})
    tools += extra_tools(ctx.fault)  # the DIALECT-* faults: valid MCP tools some clients reject
    return tools


def list_tools(ctx: Ctx, params: dict) -> dict:
    tools = _listed_tools(ctx)
    page, cursor = paginate(ctx, "tools", tools, params)
    result: dict[str, Any] = {"tools": page}
    if cursor:
        result["nextCursor"] = cursor
    return result


def _check_args(schema: dict, args: dict) -> str | None:
    """Validate against our own flat schemas; returns a message or None. Enough for these tools."""
    props = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in args:
            return f"missing required argument {name!r}"
    for name, value in args.items():
        if name not in props:
            if schema.get("additionalProperties") is False:
                return f"unexpected argument {name!r}"
            continue
        spec = props[name]
        kind = spec.get("type")
        ok = {
            "string": isinstance(value, str),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
        }.get(kind, True)
        if not ok:
            return f"argument {name!r} must be of type {kind}"
        if kind == "number" and not (spec.get("minimum", value) <= value <= spec.get("maximum", value)):
            return f"argument {name!r} is out of range"
    return None


def _plain_slip(schema: dict, args: dict) -> bool:
    """Only missing or scalar wrong-typed arguments: what TOOL-06-success-on-bad-args lets through."""
    known = schema.get("properties", {})
    return all(k in known and v is not None and not isinstance(v, (list, dict)) for k, v in args.items())


def _text(text: str) -> dict:
    return {"type": "text", "text": text}


def call_tool(ctx: Ctx, params: dict) -> dict:
    name = params.get("name")
    args = params.get("arguments", {})
    if args is None:
        args = {}
    if not isinstance(name, str) or not isinstance(args, dict):
        if ctx.fault("RPC-11-accept-bad-params"):
            return {"content": []}
        raise bad_params(ctx, "tools/call needs params {name: string, arguments?: object}")
    if "task" in params and ctx.fault("CAP-05-reject-task-metadata"):
        raise RpcError(METHOD_NOT_FOUND, "Task-augmented execution is not supported")
    tools = {t["name"]: t for t in _listed_tools(ctx)}
    ctx.state.tool_called = True
    if name not in tools:
        if ctx.fault("TOOL-05-unknown-tool-as-result"):
            return {"content": [_text(f"Unknown tool: {name}")], "isError": True}
        message = f"Unknown tool: {name}"
        if ctx.fault("SEC-02-stack-trace"):
            try:
                raise KeyError(name)
            except KeyError:
                message += "\n" + traceback.format_exc()
        raise RpcError(INTERNAL_ERROR if ctx.fault("TOOL-05-wrong-code") else INVALID_PARAMS, message)
    # validate against the true schema, not a faulty listing
    real = {t["name"]: t for t in [*_tool_defs(ctx), interview.TOOL]}
    schema = real.get(name, {}).get("inputSchema", {"type": "object"})
    if ctx.fault("TOOL-14-ignore-extra-keys"):
        args = {k: v for k, v in args.items() if k in schema.get("properties", {})}
    problem = _check_args(schema, args)
    if problem and ctx.fault("TOOL-06-success-on-bad-args") and _plain_slip(schema, args):
        problem = None  # coerced; TOOL-14's hostile arguments (extra keys, null, nesting) are still refused
    if problem:
        if at_least(ctx.version, V4) and not ctx.fault("TOOL-06-protocol-error-v4"):
            return {"content": [_text(f"Invalid arguments for {name}: {problem}")], "isError": True}
        raise RpcError(INVALID_PARAMS, f"Invalid arguments for {name}: {problem}")
    ctx.log("info", f"tools/call {name}")
    ctx.log("debug", {"tool": name, "arguments": args})
    if name == interview.NAME:
        return interview.call(ctx, params)  # needs the whole params: inputResponses, requestState, _meta
    result = _TOOL_IMPLS.get(name, _late_tool)(ctx, args)  # fault-only extras answer like late_tool
    if ctx.fault("RPC-14-bad-meta-key"):
        result["_meta"] = {"-bad key-": 1}
    return result


def _echo(ctx: Ctx, args: dict) -> dict:
    result: dict[str, Any] = {"content": [_text(str(args.get("text", "")))]}
    if ctx.fault("RPC-01-deep-nesting"):
        result["_meta"] = {"deep": DEEP_PLACEHOLDER}
    return result


DEEP_PLACEHOLDER = "\u0000deep-nesting\u0000"  # replaced by 100,000 nested arrays when serialised


def _coerce_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _add_tool(ctx: Ctx, args: dict) -> dict:
    total = _coerce_int(args.get("a")) + _coerce_int(args.get("b"))
    structured: dict[str, Any] = {"sum": total}
    if not (at_least(ctx.version, V3) or ctx.fault("LIFE-08-v3-fields-on-v2")):
        return {"content": [_text(str(total))]}
    if ctx.fault("TOOL-03-structured-mismatch"):
        structured = {"sum": str(total)}
    text = f"The sum is {total}" if ctx.fault("TOOL-04-no-text-copy") else json.dumps(structured)
    result: dict[str, Any] = {"content": [_text(text)]}
    if not ctx.fault("TOOL-03-missing-structured"):
        result["structuredContent"] = structured
    return result


def _progress(ctx: Ctx, token: Any, progress: float, total: float) -> dict:
    params: dict[str, Any] = {"progressToken": token, "progress": progress, "total": total}
    if at_least(ctx.version, V2):
        params["message"] = f"step {progress:g} of {total:g}"
    return {"jsonrpc": "2.0", "method": "notifications/progress", "params": params}


def _slow(ctx: Ctx, args: dict) -> dict:
    try:
        seconds = float(args.get("seconds", 1))
    except (TypeError, ValueError):
        seconds = 1.0
    steps = max(1, round(min(max(seconds, 0.0), 30.0) * 10))
    token = ctx.progress_token
    if token is NO_TOKEN and ctx.fault("PROG-01-unsolicited-token"):
        token = "phantom-token"
    if isinstance(token, int) and not isinstance(token, bool) and ctx.fault("PROG-01-token-type-changed"):
        token = str(token)
    keep_going_after_cancel = ctx.modern and ctx.fault("CANC-01-v5-progress-after-cancel")
    cancelled = False
    for step in range(1, steps + 1):
        if cancelled:
            time.sleep(0.1)  # CANC-01-v5-progress-after-cancel: the work goes on at its own pace
        elif ctx.cancelled.wait(0.1):
            cancelled = True
            if not keep_going_after_cancel:
                break
        if token is not NO_TOKEN:
            value = steps - step + 1 if ctx.fault("PROG-02-progress-decreases") else step
            ctx.emit(_progress(ctx, token, value, steps))
    if cancelled and not ctx.fault("CANC-01-answer-cancelled"):
        raise NoResponse
    if token is not NO_TOKEN and ctx.fault("PROG-03-progress-after-response"):
        ctx.after.append(_progress(ctx, token, steps + 1, steps + 1))
    return {"content": [_text("cancelled early" if cancelled else f"slept {steps / 10:g} s")]}


_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|DATABASE_URL", re.IGNORECASE)


def _fail(ctx: Ctx, args: dict) -> dict:
    text = "The fail tool always fails."
    if ctx.fault("SEC-01-leak-secret"):
        leaked = [f"{k}={v}" for k, v in sorted(os.environ.items()) if _SECRET_NAME.search(k) and v]
        text += " Environment: " + "; ".join(leaked or ["SPEC_SERVER_CANARY=canary-7f3a9c"])
    if ctx.fault("TOOL-07-error-without-content"):
        return {"isError": True}
    return {"content": [_text(text)], "isError": True}


def _image(ctx: Ctx, args: dict) -> dict:
    block: dict[str, Any] = {"type": "image", "data": PNG_B64, "mimeType": "image/png"}
    if ctx.fault("TOOL-12-bad-base64"):
        block["data"] = "this is *not* base64!"
    if ctx.fault("TOOL-12-no-mime-type"):
        del block["mimeType"]
    content = [block]
    if ctx.fault("TOOL-13-embedded-without-resources"):
        text = _TEXTS["spec://static/alpha"]
        content.append(
            {
                "type": "resource",
                "resource": {"uri": "spec://static/alpha", "mimeType": text[1], "text": text[2]},
            }
        )
    return {"content": content}


def _annotated_read(ctx: Ctx, args: dict) -> dict:
    return {"content": [_text("nothing was changed")]}


def _late_tool(ctx: Ctx, args: dict) -> dict:
    return {"content": [_text("late")]}


def _needs_input(ctx: Ctx, args: dict) -> dict:
    """Only listed under the MRTR faults: an InputRequiredResult, broken as the fault says."""
    if ctx.fault("MRTR-01-empty-input-required"):
        return {"resultType": "input_required"}
    elicit = {
        "method": "elicitation/create",
        "params": {"message": "Proceed?", "requestedSchema": {"type": "object", "properties": {}}},
    }
    return {"resultType": "input_required", "inputRequests": {"confirm": elicit}}


_TOOL_IMPLS = {
    "echo": _echo,
    "add": _add_tool,
    "slow": _slow,
    "fail": _fail,
    "image": _image,
    "annotated_read": _annotated_read,
    "needs_input": _needs_input,
}

# --------------------------------------------------------------------------- resources

_TEXTS = {
    "spec://static/alpha": ("alpha", "text/plain", "Alpha: the first static resource."),
    "spec://static/beta": ("beta", "text/plain", "Beta: ünïcödé and emoji 🚀 survive."),
    "spec://static/gamma": ("gamma", "text/markdown", "# Gamma\n\nA markdown resource."),
    "spec://static/delta": ("delta", "application/json", '{"delta": 4}'),
}
_BLOB_URI = "spec://static/logo.png"
_ITEM = re.compile(r"^spec://items/([A-Za-z0-9_-]{1,64})$")
_PROFILE = re.compile(r"^spec://users/([A-Za-z0-9_-]{1,64})/profile$")
FAKE_PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


def list_resources(ctx: Ctx, params: dict) -> dict:
    items: list[dict] = [
        {"uri": uri, "name": name, "mimeType": mime, "description": f"Static text resource {name}."}
        for uri, (name, mime, _text_value) in _TEXTS.items()
    ]
    items.append({"uri": _BLOB_URI, "name": "logo", "mimeType": "image/png", "description": "A PNG blob."})
    if ctx.fault("RES-07-bad-last-modified"):
        items[0]["annotations"] = {"lastModified": "last tuesday"}
    if ctx.fault("RES-07-bad-priority"):
        items[0]["annotations"] = {"priority": 5}
    if ctx.fault("RES-08-bad-uri"):
        items.insert(1, {"uri": "not a uri", "name": "broken", "mimeType": "text/plain"})
    if ctx.fault("RES-01-missing-name"):
        for item in items:
            item.pop("name", None)
    page, cursor = paginate(ctx, "resources", items, params)
    result: dict[str, Any] = {"resources": page}
    if cursor:
        result["nextCursor"] = cursor
    return result


def list_templates(ctx: Ctx, params: dict) -> dict:
    items = [
        {
            "uriTemplate": "spec://items/{id}",
            "name": "item",
            "mimeType": "text/plain",
            "description": "An item by id ([A-Za-z0-9_-]{1,64}).",
        },
        {
            "uriTemplate": "spec://users/{name}/profile",
            "name": "profile",
            "mimeType": "text/plain",
            "description": "A user profile by name.",
        },
    ]
    page, cursor = paginate(ctx, "templates", items, params)
    result: dict[str, Any] = {"resourceTemplates": page}
    if cursor:
        result["nextCursor"] = cursor
    return result


def _not_found(ctx: Ctx, uri: str) -> dict:
    """RES-03: -32002 with data.uri on V1-V4, -32602 on V5 (which forbids -32002)."""
    if ctx.modern:
        if ctx.fault("RES-03-v5-empty-contents"):
            return {"contents": []}
        code = RESOURCE_NOT_FOUND if ctx.fault("RES-03-v5-legacy-code") else INVALID_PARAMS
        raise RpcError(code, "Resource not found", {"uri": uri})
    if ctx.fault("RES-03-empty-contents"):
        return {"contents": []}
    code = INTERNAL_ERROR if ctx.fault("RES-03-wrong-code") else RESOURCE_NOT_FOUND
    raise RpcError(code, "Resource not found", {"uri": uri})


def read_resource(ctx: Ctx, params: dict) -> dict:
    uri = _str_param(params, "uri")
    ctx.log("info", f"resources/read {uri}")  # reads log too, so logging is testable without tool calls
    ctx.log("debug", {"method": "resources/read", "uri": uri})
    if uri in _TEXTS:
        _name, mime, text = _TEXTS[uri]
        return {"contents": [{"uri": uri, "mimeType": mime, "text": text}]}
    if uri == _BLOB_URI:
        item: dict[str, Any] = {"uri": uri, "mimeType": "image/png", "blob": PNG_B64}
        if ctx.fault("RES-02-bad-blob-base64"):
            item["blob"] = "not base64 at all!"
        if ctx.fault("RES-02-both-text-and-blob"):
            item["text"] = "a PNG"
        return {"contents": [item]}
    if match := _ITEM.match(uri):
        return {"contents": [{"uri": uri, "mimeType": "text/plain", "text": f"Item {match.group(1)}"}]}
    if match := _PROFILE.match(uri):
        return {"contents": [{"uri": uri, "mimeType": "text/plain", "text": f"Profile of {match.group(1)}"}]}
    if ".." in uri.split("?")[0]:
        if uri.startswith("file:") and ctx.fault("RES-04-path-traversal"):
            return {"contents": [{"uri": uri, "mimeType": "text/plain", "text": FAKE_PASSWD}]}
        raise RpcError(INVALID_PARAMS, "Invalid resource URI: path traversal is not allowed", {"uri": uri})
    return _not_found(ctx, uri)


def subscribe(ctx: Ctx, params: dict) -> dict:
    _str_param(params, "uri")
    if ctx.fault("RES-05-subscribe-error"):
        raise RpcError(INTERNAL_ERROR, "subscriptions are broken")
    return {}


# --------------------------------------------------------------------------- prompts

_PROMPTS = [
    {
        "name": "greet",
        "description": "Greet someone by name.",
        "arguments": [{"name": "name", "description": "Who to greet.", "required": True}],
    },
    {"name": "plain", "description": "A prompt without arguments."},
    {
        "name": "quote",
        "description": "A two-message exchange about a topic.",
        "arguments": [{"name": "topic", "description": "Optional topic.", "required": False}],
    },
]
NAMES = ("Ada", "Alan", "Alice", "Barbara", "Bob", "Grace", "Linus", "Margaret")


def list_prompts(ctx: Ctx, params: dict) -> dict:
    prompts = json.loads(json.dumps(_PROMPTS))
    if ctx.fault("PROMPT-01-argument-without-name"):
        del prompts[0]["arguments"][0]["name"]
    page, cursor = paginate(ctx, "prompts", prompts, params)
    result: dict[str, Any] = {"prompts": page}
    if cursor:
        result["nextCursor"] = cursor
    return result


def get_prompt(ctx: Ctx, params: dict) -> dict:
    name = _str_param(params, "name")
    ctx.log("info", f"prompts/get {name}")
    ctx.log("debug", {"method": "prompts/get", "name": name})
    args = params.get("arguments") or {}
    if not isinstance(args, dict) or not all(isinstance(v, str) for v in args.values()):
        raise RpcError(INVALID_PARAMS, "prompt arguments must be an object of strings")
    if name == "greet":
        who = args.get("name")
        if who is None:
            if not ctx.fault("PROMPT-03-missing-arg-ok"):
                raise RpcError(INVALID_PARAMS, "Missing required argument: name")
            who = "stranger"
        role = "system" if ctx.fault("PROMPT-02-bad-role") else "user"
        return {"description": "A greeting", "messages": [{"role": role, "content": _text(f"Hello, {who}!")}]}
    if name == "plain":
        return {"messages": [{"role": "user", "content": _text("A plain prompt with no arguments.")}]}
    if name == "quote":
        topic = args.get("topic", "anything")
        return {
            "messages": [
                {"role": "user", "content": _text(f"Give me a quote about {topic}.")},
                {"role": "assistant", "content": _text("Simplicity is prerequisite for reliability.")},
            ]
        }
    if ctx.fault("PROMPT-03-unknown-prompt-ok"):
        return {"messages": []}
    raise RpcError(INVALID_PARAMS, f"Unknown prompt: {name}")


# --------------------------------------------------------------------------- completion


def complete(ctx: Ctx, params: dict) -> dict:
    ref, argument = params.get("ref"), params.get("argument")
    if not isinstance(ref, dict) or not isinstance(argument, dict):
        raise RpcError(INVALID_PARAMS, "completion/complete needs ref and argument objects")
    arg_name, value = argument.get("name"), argument.get("value", "")
    if not isinstance(arg_name, str) or not isinstance(value, str):
        raise RpcError(INVALID_PARAMS, "argument.name and argument.value must be strings")
    candidates: tuple[str, ...] | None = None
    if ref.get("type") == "ref/prompt" and ref.get("name") == "greet" and arg_name == "name":
        candidates = NAMES
    elif ref.get("type") == "ref/resource" and ref.get("uri") == "spec://items/{id}" and arg_name == "id":
        candidates = tuple(str(i) for i in range(1, 21))
    if candidates is None:
        if ctx.fault("COMP-03-unknown-ref-ok"):
            return {"completion": {"values": [], "total": 0, "hasMore": False}}
        raise RpcError(INVALID_PARAMS, "Unknown completion reference or argument")
    values = [c for c in candidates if c.lower().startswith(value.lower())]
    if ctx.fault("COMP-02-too-many-values"):
        values = [f"{value}{i}" for i in range(150)]
    return {
        "completion": {
            "values": values[:100] if len(values) <= 100 else values,
            "total": len(values),
            "hasMore": False,
        }
    }
