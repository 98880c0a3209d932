"""harness/checks/frames.py: the per-frame checks run after every test.

One frame per case, each breaking one rule, so a regression shows which
routing (envelope, schema by method, capabilities, server requests, RPC-13)
went wrong.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import frames
from harness.protocol.session import Received
from tests.unit.builders import V1, V4, V5, notification, received, verdict

TOOLS = {"tools": [{"name": "echo", "inputSchema": {"type": "object"}}]}


def judge(
    items: list[Received],
    version: str | None = V4,
    *,
    client: dict[str, Any] | None = None,
    server: dict[str, Any] | None = None,
    seen: set[str] | None = None,
) -> list[tuple[str, str]]:
    era = "modern" if version == V5 else "legacy"
    found = frames.check_frames(
        items,
        version=version,
        era=era,
        client_capabilities=client or {},
        server_capabilities=server or {},
        seen_server_request_ids=seen,
    )
    return verdict(found)


def response(result: Any, answers: str, request_id: Any = 1) -> Received:
    return received({"jsonrpc": "2.0", "id": request_id, "result": result}, answers=answers)


@pytest.mark.parametrize(
    ("item", "version", "server"),
    [
        (response(TOOLS, "tools/list"), V4, {}),
        (response({"resultType": "complete"}, "ping"), V5, {}),
        (received(notification("notifications/tools/list_changed")), V4, {"tools": {"listChanged": True}}),
        (
            received(notification("notifications/message", {"level": "info", "data": "x"})),
            V4,
            {"logging": {}},
        ),
        (
            received(
                {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}},
                answers="(raw frame)",
            ),
            V4,
            {},
        ),
        (received(notification("notifications/tools/list_changed")), None, {}),  # no version: envelope only
    ],
)
def test_good_frames_give_no_finding(item: Received, version: str | None, server: dict) -> None:
    assert judge([item], version, server=server) == []


@pytest.mark.parametrize(
    ("item", "version", "expected"),
    [
        (received({"jsonrpc": "1.0", "id": 1, "result": {}}, answers="ping"), V4, [("RPC-01", "fail")]),
        (
            received({"jsonrpc": "2.0", "id": 1, "error": {"code": "x", "message": "m"}}, answers="ping"),
            V4,
            [("RPC-04", "fail")],
        ),
        (response({"tools": "x"}, "tools/list"), V4, [("TOOL-01", "fail")]),
        (received(notification("notifications/tools/list_changed")), V4, [("CAP-02", "fail")]),
        (received(notification("notifications/tools/list_changed")), V1, [("CAP-02", "warn")]),
        (
            received(notification("notifications/message", {"level": "info", "data": "x"})),
            V4,
            [("CAP-04", "fail")],
        ),
        (
            received(notification("notifications/resources/updated", {"uri": "file:///a"})),
            V4,
            [("CAP-02", "warn")],
        ),
        (received({"jsonrpc": "2.0", "id": 1.5, "method": "ping"}), V4, [("RPC-06", "fail")]),
        (received({"jsonrpc": "2.0", "id": "s1", "method": "ping"}), V5, [("VER-07", "fail")]),
        (response({"_meta": {"bad key!": 1}}, "ping"), V4, [("RPC-14", "fail")]),
        (response({}, "ping"), V5, [("RPC-13", "fail")]),
        (response({"resultType": "input_required"}, "ping"), V5, [("RPC-13", "fail")]),
    ],
)
def test_bad_frames_give_their_rule(item: Received, version: str, expected: list) -> None:
    assert judge([item], version) == expected


def test_a_server_request_needs_the_client_capability() -> None:
    sampling = {
        "jsonrpc": "2.0",
        "id": "s1",
        "method": "sampling/createMessage",
        "params": {"messages": [], "maxTokens": 5},
    }
    assert judge([received(sampling)], client={"sampling": {}}) == []
    assert judge([received(sampling)]) == [("CAP-03", "fail")]


def test_server_request_ids_are_remembered_across_calls() -> None:
    seen: set[str] = set()
    ping = received({"jsonrpc": "2.0", "id": "s1", "method": "ping"})
    assert judge([ping], seen=seen) == []
    assert judge([ping], seen=seen) == [("RPC-06", "fail")]
    assert judge([received({"jsonrpc": "2.0", "id": 1, "method": "ping"})], seen=seen) == []  # 1 is not "1"
