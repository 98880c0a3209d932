"""harness/checks/always.py through the judge, on a session with an in-memory server.

The always-on checks run after every suite test; here each misbehaviour a
server can show on the wire is played by a MemoryTransport handler and must
come out of `Judge.judge` as its rule, and a clean server must give nothing.
"""

from __future__ import annotations

from typing import Any

from harness.checks import registry
from harness.protocol.session import Session
from harness.transport.memory import MemoryTransport, answer, refuse
from tests.unit.builders import V4

SECRET = "canary-5f1c2e9a7b"
INIT = {"protocolVersion": V4, "capabilities": {"tools": {}}, "serverInfo": {"name": "m", "version": "1"}}
TOOLS = {"tools": [{"name": "echo", "inputSchema": {"type": "object"}}]}


def judged(reply_to_call: Any, *, kind: str = "stdio") -> list[str]:
    """Rules the judge reports for one tools/call answered by `reply_to_call(request)`."""

    def handle(message: Any) -> Any:
        if not (isinstance(message, dict) and "id" in message and "method" in message):
            return None
        if message["method"] == "initialize":
            return answer(message, INIT)
        if message["method"] == "tools/list":
            return answer(message, TOOLS)
        return reply_to_call(message)

    session = Session(MemoryTransport(handle, kind=kind), timeout=0.2)
    session.initialize(V4)
    session.request("tools/list")
    judge = registry.judge_of(session, secrets=[SECRET])
    since = judge.mark()
    session.request("tools/call", {"name": "echo", "arguments": {}})
    return sorted({f.rule for f in judge.judge(since)})


def text_result(request: Any, text: str, **extra: Any) -> dict[str, Any]:
    return answer(request, {"content": [{"type": "text", "text": text}], **extra})


def test_a_clean_server_gives_no_finding() -> None:
    assert judged(lambda m: text_result(m, "hello")) == []


def test_each_misbehaviour_is_reported_under_its_rule() -> None:
    assert judged(lambda m: {**text_result(m, "x"), "id": str(m["id"])}) == ["RPC-02"]
    assert judged(lambda m: [b"debug: handling call", text_result(m, "x")]) == ["STDIO-02"]
    assert judged(lambda m: text_result(m, f"token={SECRET}")) == ["SEC-01"]
    assert judged(
        lambda m: refuse(m, -32603, 'Traceback (most recent call last):\n  File "/app/s.py", line 1')
    ) == ["SEC-02"]
    assert judged(lambda m: answer(m, {"content": "not a list"})) == ["TOOL-07"]
    notice = {"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}
    assert judged(lambda m: [notice, text_result(m, "x")]) == ["CAP-02"]


def test_stdout_hygiene_is_not_asked_of_http() -> None:
    assert judged(lambda m: [b"<html>", text_result(m, "x")], kind="http") == []


def test_server_request_ids_stay_unique_across_slices() -> None:
    """RPC-06: the server reuses its request id "srv-1" in a later test; the judge remembers it."""
    ping = {"jsonrpc": "2.0", "id": "srv-1", "method": "ping"}

    def handle(message: Any) -> Any:
        return [ping, answer(message, {})] if "method" in message and "id" in message else None

    session = Session(MemoryTransport(handle), timeout=0.2)
    judge = registry.judge_of(session)
    first = judge.mark()
    session.request("ping")
    assert judge.judge(first, version=V4) == []
    second = judge.mark()
    session.request("ping")
    assert [f.rule for f in judge.judge(second, version=V4)] == ["RPC-06"]
