"""Unit tests of the LIFE-*/PING-01 checks (harness/checks/lifecycle.py), no server needed.

Each check gets one input a conforming server would produce (no finding) and
one it would not (exactly the expected rule), built from the session's own
`Exchange` and `Received` types so the checks see what a real run hands them.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import lifecycle
from harness.findings import Finding
from harness.protocol.session import Exchange, Received
from harness.protocol.versions import V1, V2, V3, V4

GOOD_INIT = {
    "protocolVersion": V4,
    "capabilities": {},
    "serverInfo": {"name": "unit", "version": "1.0"},
}


def answered(method: str, *, result: Any = None, error: dict[str, Any] | None = None) -> Exchange:
    """An exchange for `method` answered with `result`, or with `error` when given."""
    exchange = Exchange(method=method, request={"jsonrpc": "2.0", "id": 1, "method": method}, sent_at=0.0)
    body = {"error": error} if error is not None else {"result": result}
    exchange.response = {"jsonrpc": "2.0", "id": 1, **body}
    exchange.received_at = 0.01
    return exchange


def unanswered(method: str) -> Exchange:
    return Exchange(method=method, request={"jsonrpc": "2.0", "id": 2, "method": method}, sent_at=0.0)


def frame(message: Any) -> Received:
    return Received(message=message, channel="stdio", at=0.0)


def rules_and_severities(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in findings]


# -- LIFE-01 -------------------------------------------------------------------------------
def test_life01_complete_initialize_result():
    assert lifecycle.initialize_result(answered("initialize", result=GOOD_INIT)) == []


@pytest.mark.parametrize(
    "result",
    [
        {k: v for k, v in GOOD_INIT.items() if k != "capabilities"},
        {**GOOD_INIT, "serverInfo": {"name": "unit"}},
        "not an object",
    ],
    ids=["no-capabilities", "no-server-version", "result-not-object"],
)
def test_life01_incomplete_initialize_result(result):
    assert rules_and_severities(lifecycle.initialize_result(answered("initialize", result=result))) == [
        ("LIFE-01", "fail")
    ]


def test_life01_error_instead_of_result():
    exchange = answered("initialize", error={"code": -32603, "message": "boom"})
    assert rules_and_severities(lifecycle.initialize_result(exchange)) == [("LIFE-01", "fail")]


# -- LIFE-02 -------------------------------------------------------------------------------
def test_life02_requested_version_echoed():
    exchange = answered("initialize", result={**GOOD_INIT, "protocolVersion": V3})
    assert lifecycle.version_echoed(exchange, V3, "roots") == []


def test_life02_other_version_returned():
    exchange = answered("initialize", result={**GOOD_INIT, "protocolVersion": V4})
    [finding] = lifecycle.version_echoed(exchange, V3, "roots")
    assert (finding.rule, finding.severity) == ("LIFE-02", "fail")
    assert "declaring roots" in finding.message


# -- LIFE-03 -------------------------------------------------------------------------------
def test_life03_counter_offer_of_a_known_version():
    exchange = answered("initialize", result={**GOOD_INIT, "protocolVersion": V4})
    assert lifecycle.counter_offer(exchange, strict=True) == []


@pytest.mark.parametrize("offered", [lifecycle.UNKNOWN_VERSION, "2099-01-01", None])
def test_life03_echo_or_unknown_counter_offer(offered):
    exchange = answered("initialize", result={**GOOD_INIT, "protocolVersion": offered})
    assert rules_and_severities(lifecycle.counter_offer(exchange, strict=False)) == [("LIFE-03", "fail")]


def test_life03_echo_is_named_as_an_echo():
    exchange = answered("initialize", result={**GOOD_INIT, "protocolVersion": lifecycle.UNKNOWN_VERSION})
    [finding] = lifecycle.counter_offer(exchange, strict=False)
    assert "echoed" in finding.message


@pytest.mark.parametrize(("strict", "severity"), [(False, "warn"), (True, "fail")])
def test_life03_error_instead_of_counter_offer(strict, severity):
    error = {"code": -32602, "message": "unsupported", "data": {"supported": [V4], "requested": "x"}}
    [finding] = lifecycle.counter_offer(answered("initialize", error=error), strict=strict)
    assert (finding.rule, finding.severity) == ("LIFE-03", severity)
    assert "does not list" not in finding.message


def test_life03_error_without_supported_list_says_so():
    exchange = answered("initialize", error={"code": -32602, "message": "unsupported"})
    [finding] = lifecycle.counter_offer(exchange, strict=False)
    assert "does not list the supported versions" in finding.message


# -- LIFE-04 -------------------------------------------------------------------------------
def test_life04_rejected_with_32602():
    exchange = answered("initialize", error={"code": -32602, "message": "protocolVersion required"})
    assert lifecycle.versionless_initialize(exchange) == []


@pytest.mark.parametrize(
    "exchange",
    [
        answered("initialize", result=GOOD_INIT),
        answered("initialize", error={"code": -32600, "message": "x"}),
    ],
    ids=["default-version", "other-code"],
)
def test_life04_tolerated_outcomes_are_info(exchange):
    assert rules_and_severities(lifecycle.versionless_initialize(exchange)) == [("LIFE-04", "info")]


def test_life04_hang_and_exit_fail():
    assert rules_and_severities(lifecycle.versionless_initialize(None)) == [("LIFE-04", "fail")]
    [gone] = lifecycle.versionless_initialize(None, gone="exit code 1")
    assert (gone.rule, gone.severity) == ("LIFE-04", "fail")
    assert "exit code 1" in gone.message


# -- LIFE-06 -------------------------------------------------------------------------------
def test_life06_ping_and_notifications_may_come_early():
    frames = [
        frame({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        frame({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": 1}}),
    ]
    assert lifecycle.early_requests(frames) == []


def test_life06_roots_request_before_initialized():
    frames = [frame({"jsonrpc": "2.0", "id": 7, "method": "roots/list"})]
    assert rules_and_severities(lifecycle.early_requests(frames)) == [("LIFE-06", "warn")]


# -- LIFE-07 -------------------------------------------------------------------------------
def test_life07_refused_before_initialize():
    exchange = answered("tools/list", error={"code": -32002, "message": "not initialized"})
    assert lifecycle.request_before_initialize(exchange) == []


def test_life07_processed_before_initialize_is_info():
    [finding] = lifecycle.request_before_initialize(answered("tools/list", result={"tools": []}))
    assert (finding.rule, finding.severity) == ("LIFE-07", "info")
    assert finding.message.startswith("tools/list ")


def test_life07_crash_fails():
    assert rules_and_severities(lifecycle.crashed_before_initialize("exit code 1")) == [("LIFE-07", "fail")]


# -- LIFE-08 -------------------------------------------------------------------------------
def test_life08_plain_tools_at_2025_03_26():
    tools = [{"name": "echo", "inputSchema": {"type": "object"}}]
    assert lifecycle.newer_tool_fields(tools, V2) == []


def test_life08_newer_fields_are_fine_from_2025_06_18():
    tools = [{"name": "echo", "title": "Echo", "inputSchema": {"type": "object"}}]
    assert lifecycle.newer_tool_fields(tools, V3) == []


@pytest.mark.parametrize("version", [V1, V2])
def test_life08_title_before_2025_06_18(version):
    tools = [{"name": "echo", "title": "Echo", "inputSchema": {"type": "object"}}, "not a tool"]
    assert rules_and_severities(lifecycle.newer_tool_fields(tools, version)) == [("LIFE-08", "warn")]


# -- PING-01 -------------------------------------------------------------------------------
def test_ping01_quick_empty_result():
    assert lifecycle.ping_answer(answered("ping", result={}), 0.01) == []


@pytest.mark.parametrize(
    ("exchange", "elapsed", "expected"),
    [
        (answered("ping", result={"pong": True}), 0.01, [("PING-01", "warn")]),
        (answered("ping", error={"code": -32603, "message": "x"}), 0.01, [("PING-01", "fail")]),
        (answered("ping", result={}), lifecycle.PING_LIMIT + 0.5, [("PING-01", "warn")]),
    ],
    ids=["non-empty", "error", "slow"],
)
def test_ping01_bad_answers(exchange, elapsed, expected):
    assert rules_and_severities(lifecycle.ping_answer(exchange, elapsed)) == expected


def test_ping01_answered_during_initialize():
    assert lifecycle.ping_during_initialize(answered("ping", result={})) == []


def test_ping01_unanswered_during_initialize():
    assert rules_and_severities(lifecycle.ping_during_initialize(unanswered("ping"))) == [("PING-01", "warn")]
