"""Unit tests of the RPC-* checks (harness/checks/jsonrpc.py), no server needed.

Each check gets one input a conforming server would produce (no finding) and
one it would not (exactly the expected rule), built from the session's own
`Exchange` and `Received` types so the checks see what a real run hands them.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import jsonrpc
from harness.findings import Finding
from harness.protocol.session import Exchange, Received


def exchange_for(request_id: Any = 1, *, method: str = "ping", **body: Any) -> Exchange:
    """An exchange whose response carries `body` (result=... or error=...); none when empty."""
    exchange = Exchange(
        method=method, request={"jsonrpc": "2.0", "id": request_id, "method": method}, sent_at=0.0
    )
    if body:
        exchange.response = {"jsonrpc": "2.0", "id": request_id, **body}
        exchange.received_at = 0.01
    return exchange


def frame(message: Any) -> Received:
    return Received(message=message, channel="stdio", at=0.0)


def rules_and_severities(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in findings]


# -- RPC-01/03/04 envelope -----------------------------------------------------------------
@pytest.mark.parametrize(
    "message",
    [
        {"jsonrpc": "2.0", "id": 1, "result": {}},
        {"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "no"}},
        {"jsonrpc": "2.0", "method": "notifications/message", "params": {}},
    ],
    ids=["result", "error", "notification"],
)
def test_envelope_good(message):
    assert jsonrpc.envelope(message) == []


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        ({"jsonrpc": "1.0", "id": 1, "result": {}}, "RPC-01"),
        (["not", "an", "object"], "RPC-01"),
        ({"jsonrpc": "2.0", "id": 1, "result": {}, "error": {"code": 1, "message": "x"}}, "RPC-03"),
        ({"jsonrpc": "2.0", "id": 1, "result": []}, "RPC-03"),
        ({"jsonrpc": "2.0", "id": 1, "error": {"code": "x", "message": "no"}}, "RPC-04"),
        ({"jsonrpc": "2.0", "id": 1, "error": {"code": -1, "message": 5}}, "RPC-04"),
    ],
    ids=["jsonrpc-1.0", "not-object", "both", "result-array", "code-string", "message-int"],
)
def test_envelope_bad(message, rule):
    assert rules_and_severities(jsonrpc.envelope(message)) == [(rule, "fail")]


# -- RPC-02 --------------------------------------------------------------------------------
@pytest.mark.parametrize("request_id", [0, -5, 2**53 - 1, "1", "ünï", ""])
def test_id_echo_same_value_and_type(request_id):
    assert jsonrpc.id_echo(exchange_for(request_id, result={})) == []


def test_id_echo_other_type():
    exchange = exchange_for("1", result={})
    exchange.response = {**exchange.response, "id": 1}
    assert rules_and_severities(jsonrpc.id_echo(exchange)) == [("RPC-02", "fail")]


def test_id_echo_null_id_on_a_parse_error_is_allowed():
    exchange = exchange_for(3, error={"code": -32700, "message": "parse error"})
    exchange.response = {**exchange.response, "id": None}
    assert jsonrpc.id_echo(exchange) == []


def test_phantom_responses():
    assert jsonrpc.phantom_responses([{"jsonrpc": "2.0", "id": None, "error": {}}]) == []
    phantom = [{"jsonrpc": "2.0", "id": 99, "result": {}}]
    assert rules_and_severities(jsonrpc.phantom_responses(phantom)) == [("RPC-02", "fail")]


# -- RPC-05 --------------------------------------------------------------------------------
def test_no_reply():
    assert jsonrpc.no_reply("RPC-05", [], "notifications/x-unknown") == []
    reply = {"jsonrpc": "2.0", "id": None, "error": {"code": -32601, "message": "no"}}
    assert rules_and_severities(jsonrpc.no_reply("RPC-05", [reply], "x")) == [("RPC-05", "fail")]


# -- RPC-07 --------------------------------------------------------------------------------
def test_null_id_rejected_with_32600():
    reply = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}
    assert jsonrpc.null_id_rejected(reply) == []


@pytest.mark.parametrize(
    "reply",
    [
        None,
        {"jsonrpc": "2.0", "id": None, "result": {}},
        {"jsonrpc": "2.0", "id": None, "error": {"code": -32602, "message": "bad"}},
    ],
    ids=["silence", "processed", "other-code"],
)
def test_null_id_not_rejected_is_warn(reply):
    assert rules_and_severities(jsonrpc.null_id_rejected(reply)) == [("RPC-07", "warn")]


# -- RPC-08..11 grading --------------------------------------------------------------------
def test_expect_error():
    right = exchange_for(method="x/none", error={"code": -32601, "message": "no"})
    assert jsonrpc.expect_error("RPC-10", right, -32601, "unknown method") == []
    wrong = exchange_for(method="x/none", error={"code": -32600, "message": "no"})
    assert rules_and_severities(jsonrpc.expect_error("RPC-10", wrong, -32601, "m")) == [("RPC-10", "warn")]
    served = exchange_for(method="x/none", result={})
    assert rules_and_severities(jsonrpc.expect_error("RPC-10", served, -32601, "m")) == [("RPC-10", "fail")]
    silent = exchange_for(method="x/none")
    assert rules_and_severities(jsonrpc.expect_error("RPC-10", silent, -32601, "m")) == [("RPC-10", "fail")]


def test_error_reply():
    parse_error = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse"}}
    assert jsonrpc.error_reply("RPC-08", parse_error, -32700, "invalid JSON") == []
    other = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid"}}
    assert rules_and_severities(jsonrpc.error_reply("RPC-08", other, -32700, "x")) == [("RPC-08", "warn")]
    assert rules_and_severities(jsonrpc.error_reply("RPC-08", None, -32700, "x")) == [("RPC-08", "fail")]


# -- RPC-12 --------------------------------------------------------------------------------
def test_batch_accepted():
    assert jsonrpc.batch_accepted([exchange_for(1, result={}), exchange_for(2, result={})]) == []


@pytest.mark.parametrize(
    "second",
    [exchange_for(2), exchange_for(2, error={"code": -32600, "message": "no batches"})],
    ids=["missing", "rejected"],
)
def test_batch_not_accepted_fails(second):
    batch = [exchange_for(1, result={}), second]
    assert rules_and_severities(jsonrpc.batch_accepted(batch)) == [("RPC-12", "fail")]


def test_batch_rejected_with_a_single_error():
    reply = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no batches"}}
    assert jsonrpc.batch_rejected([exchange_for(1), exchange_for(2)], reply, [frame(reply)]) == []


def test_batch_processed_is_warn():
    batch = [exchange_for(1, result={}), exchange_for(2, result={})]
    assert rules_and_severities(jsonrpc.batch_rejected(batch, None, [])) == [("RPC-12", "warn")]


def test_batch_ignored_is_warn_with_what_came_as_evidence():
    noise = {"jsonrpc": "2.0", "method": "notifications/message", "params": {}}
    [finding] = jsonrpc.batch_rejected([exchange_for(1), exchange_for(2)], None, [frame(noise)])
    assert (finding.rule, finding.severity) == ("RPC-12", "warn")
    assert finding.evidence == [noise]


# -- RPC-14 --------------------------------------------------------------------------------
def test_meta_sampled():
    with_meta = {"jsonrpc": "2.0", "id": 1, "result": {"_meta": {"example.com/x": 1}}}
    assert jsonrpc.meta_sampled([None, with_meta]) == []
    without = [{"jsonrpc": "2.0", "id": 1, "result": {}}, None, {"jsonrpc": "2.0", "id": 2, "result": []}]
    assert rules_and_severities(jsonrpc.meta_sampled(without)) == [("RPC-14", "info")]


def test_note_is_info():
    assert rules_and_severities([jsonrpc.note("RPC-10", "recorded")]) == [("RPC-10", "info")]
