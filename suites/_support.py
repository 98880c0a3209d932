"""Small helpers the suites share: harmless requests and waiting for replies.

Suites drive sessions and hand findings to `verdict`; nothing here parses bytes.
"""

from __future__ import annotations

from typing import Any

from harness.checks.pagination import PAGINATED, Page, Walk, cursor_key
from harness.property.examples import MILLIS_ARGS, SECONDS_ARGS
from harness.protocol.session import DROP_GRACE, Exchange, Session


def harmless_method(session: Session) -> str:
    """A request every server must answer: ping (legacy) or server/discover (modern)."""
    return session.harmless_method


def harmless(session: Session, *, id: Any = None, timeout: float | None = None) -> Exchange:
    return session.request(harmless_method(session), {}, id=id, timeout=timeout)


def raw_request(session: Session, message: dict[str, Any]) -> dict[str, Any]:
    """Add the modern `_meta` to a hand-built request so only the intended defect remains."""
    if session.modern:
        params = message.get("params")
        if params is None or isinstance(params, dict):
            message = {**message, "params": session.with_meta(params)}
    return message


def reply_to(
    session: Session, ids: tuple[Any, ...], timeout: float, *, drop_grace: float | None = DROP_GRACE
) -> dict[str, Any] | None:
    """The first response carrying one of `ids` (None matches a missing or null id).

    A frame sent raw has no exchange to wait on, so the ping of
    `Session.wait_until` goes out at once: silence is then a drop, found in
    about a second instead of the whole `timeout`.
    """
    types = {type(i) for i in ids}
    start = len(session.received)
    found: list[dict[str, Any]] = []

    def answered() -> bool:
        nonlocal start
        for item in session.received[start:]:
            message = item.message
            if (
                isinstance(message, dict)
                and "method" not in message
                and message.get("id") in ids
                and type(message.get("id")) in types
            ):
                found.append(message)
                return True
        start = len(session.received)
        return False

    session.wait_until(answered, timeout, drop_grace=drop_grace, probe_after=0.0)
    return found[0] if found else None


def replies_without_request(session: Session, since: int) -> list[dict[str, Any]]:
    """Responses with no usable id since `since`: what a reply to a notification looks like."""
    return [
        r.message
        for r in session.received[since:]
        if isinstance(r.message, dict)
        and "method" not in r.message
        and r.answers is None
        and r.message.get("id") is None  # a real id that matches nothing is a phantom (RPC-02)
    ]


# -- tools to drive (cancellation, progress, stateless-era probes) ------------------------
SLOW_WORDS = ("slow", "sleep", "wait", "delay", "long", "duration", "timer", "countdown")


def all_tools(session: Session) -> list[dict[str, Any]]:
    """Every tool of every tools/list page (dicts with a string name only)."""
    tools: list[dict[str, Any]] = []
    for _exchange, page in session.list_all("tools/list", "tools"):
        tools += [t for t in page if isinstance(t, dict) and isinstance(t.get("name"), str)]
    return tools


def simple_arguments(schema: Any, overrides: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Valid arguments for a flat inputSchema: required properties filled with plain values.

    None when a required property has a type this cannot fill with confidence.
    """
    if not isinstance(schema, dict):
        return None
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    args: dict[str, Any] = dict(overrides or {})
    for name in required:
        if name in args:
            continue
        spec = props.get(name)
        value = _plain_value(spec)
        if value is _NO_VALUE:
            return None
        args[name] = value
    return args


_NO_VALUE = object()


def _plain_value(spec: Any) -> Any:
    if not isinstance(spec, dict):
        return _NO_VALUE
    if isinstance(spec.get("enum"), list) and spec["enum"]:
        return spec["enum"][0]
    if "const" in spec:
        return spec["const"]
    if "default" in spec:
        return spec["default"]
    kind = spec.get("type")
    if kind == "string" and not spec.get("format") and not spec.get("pattern"):
        return "harness"
    if kind in ("integer", "number"):
        value = max(1, spec.get("minimum", 1))  # 1, raised to the minimum
        return min(value, spec.get("maximum", value))
    if kind == "boolean":
        return False
    return _NO_VALUE


def slow_call(tools: list[dict[str, Any]], seconds: float) -> tuple[str, dict[str, Any]] | None:
    """A tool that plausibly runs about `seconds`, with arguments that ask for that.

    Only an honest guess: a tool with a seconds/duration/delay-like numeric
    argument (preferred), else one whose name or description says it is slow and
    that needs no arguments. None when nothing looks slow.
    """
    for tool in tools:
        schema = tool.get("inputSchema") if isinstance(tool.get("inputSchema"), dict) else {}
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        for prop, spec in props.items():
            if not isinstance(spec, dict) or spec.get("type") not in ("number", "integer"):
                continue
            key = prop.lower()
            if key in SECONDS_ARGS:
                value: float = seconds
            elif key in MILLIS_ARGS:
                value = seconds * 1000
            else:
                continue
            if spec.get("type") == "integer":
                value = max(1, round(value))  # whole seconds: at least one, or nothing runs long
            if "maximum" in spec and value > spec["maximum"]:
                continue
            args = simple_arguments(schema, {prop: value})
            if args is not None:
                return tool["name"], args
    for tool in tools:
        text = f"{tool.get('name', '')} {tool.get('description') or ''}".lower()
        if any(word in text for word in SLOW_WORDS):
            schema = tool.get("inputSchema") if isinstance(tool.get("inputSchema"), dict) else {}
            if not schema.get("required"):
                return tool["name"], {}
    return None


def requested_seconds(args: dict[str, Any], default: float) -> float:
    """How long `slow_call`'s arguments ask the tool to run (`default` when they do not say)."""
    for key, value in args.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            if key.lower() in SECONDS_ARGS:
                return float(value)
            if key.lower() in MILLIS_ARGS:
                return value / 1000
    return default


def assume_modern(session: Session, version: str) -> Session:
    """Speak the stateless era on a connection that never ran server/discover (VER-05)."""
    from harness.protocol.session import ServerState

    session.state = ServerState(era="modern", protocol_version=version)
    return session


NO_CALL_TOOLS = "calling tools needs the opt-in --mcp-call-tools (tools may have side effects)"
NO_SLOW_TOOL = (
    "no tool that runs long enough to cancel or report progress "
    "(none has a seconds/duration/delay argument or says it is slow)"
)


def slow_tool_or_skip(session: Session, call_tools: bool, seconds: float) -> tuple[str, dict[str, Any]]:
    """The slow tool to drive, or a pytest skip with the honest reason."""
    import pytest

    if not call_tools:
        pytest.skip(NO_CALL_TOOLS)
    found = slow_call(all_tools(session), seconds)
    if found is None:
        pytest.skip(NO_SLOW_TOOL)
    return found


MAX_PAGES = 100  # a walk stops here (PAGE-01 reports it as INFO)


def walk(session: Session, method: str, *, max_pages: int = MAX_PAGES) -> Walk:
    """Follow `nextCursor` through a paginated list; stop at a cursor already sent (a loop)."""
    key = PAGINATED[method][0]
    pages: list[Page] = []
    sent: set[str] = set()
    cursor: Any = None
    while True:
        exchange = session.request(method, {} if cursor is None else {"cursor": cursor})
        result = exchange.result if isinstance(exchange.result, dict) else {}
        items = result.get(key) if isinstance(result.get(key), list) else []
        pages.append(Page(cursor, exchange, items))
        sent.add(cursor_key(cursor))
        if not exchange.ok:
            return Walk(method, pages, "error")
        cursor = result.get("nextCursor")
        if cursor is None:
            return Walk(method, pages, "end")
        if cursor == "":
            return Walk(method, pages, "empty")  # many clients read "" as the end; PAGE-01 warns
        if cursor_key(cursor) in sent:
            return Walk(method, pages, "loop")
        if len(pages) >= max_pages:
            return Walk(method, pages, "cap")


def all_items(session: Session, method: str) -> list[Any]:
    """Every item of a paginated list, all pages (a looping list is read once round)."""
    return walk(session, method).items


def list_tools(session: Session) -> tuple[list[Any], list[Exchange]]:
    """Every tool of the server, walking all `tools/list` pages; and the page exchanges."""
    tools: list[Any] = []
    pages: list[Exchange] = []
    for exchange, items in session.list_all("tools/list", "tools"):
        pages.append(exchange)
        tools.extend(items)
    return tools, pages


def call_tool(
    session: Session,
    name: Any,
    arguments: Any,
    *,
    timeout: float | None = None,
    drop_grace: float | None = None,
    **extra: Any,
) -> Exchange:
    """`tools/call` with these arguments (and extra params such as a V4 `task`).

    `drop_grace` (Session.wait) for arguments the schema forbids: refusing them takes no work.
    """
    params = {"name": name, "arguments": arguments, **extra}
    return session.request("tools/call", params, timeout=timeout, drop_grace=drop_grace)


def plain_headers(session: Session, accept: str) -> dict[str, str]:
    """Headers for a GET/DELETE: Accept, the session, the version, and the user's own."""
    transport = session.http
    headers = {"Accept": accept, **transport.base_headers}
    if transport.session_id:
        headers["Mcp-Session-Id"] = transport.session_id
    if transport.protocol_version:
        headers["MCP-Protocol-Version"] = transport.protocol_version
    return headers
