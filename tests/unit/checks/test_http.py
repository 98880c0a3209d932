"""harness/checks/http.py: HTTP-*, and RPC-12 for POSTed batches, over hand-built HttpInfo."""

from __future__ import annotations

import pytest

from harness.checks import http as checks
from tests.unit.builders import V2, V4, http, notification, rpc_error, rpc_result, verdict

SERVED = http(200, rpc_result({"tools": []}))


def test_reading_helpers_take_body_or_sse_events() -> None:
    stream = http(sse=["", notification("notifications/progress"), rpc_result({"x": 1}), "not json"])
    assert len(checks.messages(stream)) == 2
    assert checks.reply(stream) == rpc_result({"x": 1})
    assert checks.error_code(http(400, rpc_error(-32020))) == -32020
    assert checks.served(SERVED) and not checks.served(http(400, rpc_result()))
    assert checks.summary(http(404, b"nope", content_type="text/plain"))["http"] == "POST -> 404 text/plain"


@pytest.mark.parametrize(("version", "refusal"), [(V4, 403), (V2, 400)])
def test_foreign_origin_rejected(version: str, refusal: int) -> None:
    assert checks.foreign_origin_rejected(http(refusal), version) == []
    assert verdict(checks.foreign_origin_rejected(SERVED, version)) == [("HTTP-01", "fail")]


def test_foreign_origin_needs_403_from_2025_11_25() -> None:
    assert verdict(checks.foreign_origin_rejected(http(400), V4)) == [("HTTP-01", "fail")]


def test_no_origin_served() -> None:
    assert checks.no_origin_served(SERVED) == []
    assert verdict(checks.no_origin_served(http(403))) == [("HTTP-01", "warn")]


def test_notes_are_only_info() -> None:
    assert verdict(checks.host_check_note(SERVED)) == [("HTTP-01", "info")]
    assert verdict(checks.host_check_note(http(421))) == [("HTTP-01", "info")]
    for reachable in (None, True, False):
        assert verdict(checks.binding_note(reachable, "10.0.0.5")) == [("HTTP-02", "info")]
    assert verdict(checks.accept_variant_note(SERVED, "application/json")) == [("HTTP-05", "info")]
    for status in (405, 204, 500):
        assert verdict(checks.delete_note(http(status, method="DELETE"))) == [("HTTP-L07", "info")]


def test_notification_accepted() -> None:
    assert checks.notification_accepted(http(202)) == []
    assert verdict(checks.notification_accepted(http(400))) == [("HTTP-03", "info")]
    assert verdict(checks.notification_accepted(http(200, rpc_result()))) == [("HTTP-03", "fail")]
    assert verdict(checks.notification_accepted(http(202, b"ok", content_type="text/plain"))) == [
        ("HTTP-03", "fail")
    ]


def test_request_content_type() -> None:
    assert checks.request_content_type(SERVED, "tools/list") == []
    assert checks.request_content_type(http(sse=[rpc_result()]), "tools/list") == []
    assert checks.request_content_type(http(404, b"<html>", content_type="text/html"), "tools/list") == []
    assert verdict(
        checks.request_content_type(http(200, b"{}", content_type="text/plain"), "tools/list")
    ) == [("HTTP-04", "fail")]
    assert verdict(checks.request_content_type(http(200, b"{} {}"), "tools/list")) == [("HTTP-04", "fail")]


def test_stream_related() -> None:
    own = http(
        sse=[notification("notifications/progress", {"progressToken": "t"}), rpc_result(request_id=5)],
        headers={"X-Accel-Buffering": "no"},
    )
    assert checks.stream_related(own, 5, "t", modern=True) == []
    assert checks.stream_related(SERVED, 5, "t", modern=True) == []  # not a stream
    foreign = http(sse=[rpc_result(request_id=6)])
    assert verdict(checks.stream_related(foreign, 5, "t", modern=False)) == [("HTTP-06", "warn")]
    buffered = http(sse=[rpc_result(request_id=5)])
    assert verdict(checks.stream_related(buffered, 5, "t", modern=True)) == [("HTTP-06", "warn")]


def test_get_stream_or_405() -> None:
    assert checks.get_stream_or_405(http(405, method="GET")) == []
    assert checks.get_stream_or_405(http(sse=[], method="GET")) == []
    assert verdict(checks.get_stream_or_405(http(200, rpc_result(), method="GET"))) == [("HTTP-L01", "fail")]


def test_get_stream_without_responses() -> None:
    assert (
        checks.get_stream_without_responses(http(sse=[notification("notifications/message")], method="GET"))
        == []
    )
    assert verdict(checks.get_stream_without_responses(http(sse=[rpc_result()], method="GET"))) == [
        ("HTTP-L02", "fail")
    ]


def test_session_id_chars() -> None:
    [note] = checks.session_id_chars("3f2a9c7e-1b4d-4e8f-9a6b-2c5d7e9f1a3b")
    assert (note.rule, note.severity) == ("HTTP-L04", "info") and "unguessable" in note.message
    assert verdict(checks.session_id_chars("abc def")) == [("HTTP-L04", "fail")]
    assert verdict(checks.session_id_chars("")) == [("HTTP-L04", "fail")]


def test_distinct_sessions() -> None:
    assert checks.distinct_sessions("a1", "b2") == []
    assert verdict(checks.distinct_sessions("a1", "a1")) == [("HTTP-L04", "warn")]


def test_missing_session_rejected() -> None:
    assert checks.missing_session_rejected(http(400)) == []
    assert verdict(checks.missing_session_rejected(SERVED)) == [("HTTP-L05", "warn")]


@pytest.mark.parametrize(
    ("check", "severity"), [(checks.ended_session_404, "fail"), (checks.unknown_session_404, "warn")]
)
def test_session_404s(check, severity: str) -> None:
    assert check(http(404)) == []
    assert verdict(check(http(400))) == [("HTTP-L06", severity)]


def test_bad_version_header_400() -> None:
    assert checks.bad_version_header_400(http(400)) == []
    assert verdict(checks.bad_version_header_400(SERVED)) == [("HTTP-L08", "fail")]


def test_no_session_header() -> None:
    assert checks.no_session_header(SERVED) == []
    assert verdict(checks.no_session_header(http(200, rpc_result(), headers={"Mcp-Session-Id": "s1"}))) == [
        ("HTTP-M01", "fail")
    ]


def test_only_post() -> None:
    assert checks.only_post(http(405, method="GET")) == []
    assert verdict(checks.only_post(http(sse=[], method="GET"))) == [("HTTP-M01", "fail")]
    assert verdict(checks.only_post(http(404, method="DELETE"))) == [("HTTP-M01", "warn")]


def test_header_mismatch_rejected() -> None:
    assert checks.header_mismatch_rejected("HTTP-M02", http(400, rpc_error(-32020)), "no Mcp-Method") == []
    assert verdict(checks.header_mismatch_rejected("HTTP-M02", SERVED, "no Mcp-Method")) == [
        ("HTTP-M02", "fail")
    ]
    processed = http(200, rpc_error(-32602))
    assert verdict(checks.header_mismatch_rejected("HTTP-M03", processed, "wrong Mcp-Name")) == [
        ("HTTP-M03", "fail")
    ]
    assert verdict(
        checks.header_mismatch_rejected("HTTP-M03", http(400, rpc_error(-32600)), "wrong Mcp-Name")
    ) == [("HTTP-M03", "warn")]


def test_encoded_value_accepted() -> None:
    assert checks.encoded_value_accepted(SERVED, "base64 Mcp-Name") == []
    assert checks.encoded_value_accepted(http(200, rpc_error(-32602)), "base64 Mcp-Name") == []
    assert verdict(checks.encoded_value_accepted(http(400, rpc_error(-32020)), "base64 Mcp-Name")) == [
        ("HTTP-M04", "fail")
    ]
    assert verdict(checks.encoded_value_accepted(http(500), "base64 Mcp-Name")) == [("HTTP-M04", "fail")]


def test_status_matches_error() -> None:
    assert checks.status_matches_error(http(404, rpc_error(-32601)), 404, -32601, "unknown method") == []
    assert verdict(checks.status_matches_error(SERVED, 404, -32601, "unknown method")) == [
        ("HTTP-M06", "fail")
    ]
    assert verdict(
        checks.status_matches_error(http(200, rpc_error(-32601)), 404, -32601, "unknown method")
    ) == [("HTTP-M06", "fail")]
    assert verdict(
        checks.status_matches_error(http(404, rpc_error(-32600)), 404, -32601, "unknown method")
    ) == [("HTTP-M06", "warn")]


def test_batch_refused() -> None:
    assert checks.batch_refused(http(400, rpc_error(-32600, request_id=None))) == []
    assert verdict(checks.batch_refused(http(200, [rpc_result(), rpc_result(request_id=2)]))) == [
        ("RPC-12", "fail")
    ]
    assert verdict(checks.batch_refused(http(500))) == [("RPC-12", "warn")]
    assert verdict(checks.batch_refused(http(400, b"bad batch", content_type="text/plain"))) == [
        ("RPC-12", "warn")
    ]
