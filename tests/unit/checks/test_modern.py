"""harness/checks/modern.py: VER-*, CACHE-* and MRTR-* of the stateless era (2026-07-28)."""

from __future__ import annotations

from harness.checks import modern
from harness.protocol.session import META_SERVER_INFO
from tests.unit.builders import V5, err, ok, unanswered, verdict

SERVER_INFO = {META_SERVER_INFO: {"name": "s", "version": "1"}}
DISCOVERED = {"supportedVersions": [V5], "capabilities": {}, "_meta": SERVER_INFO}
CACHED = {"tools": [], "ttlMs": 0, "cacheScope": "public"}


def test_missing_meta_rejected() -> None:
    assert modern.missing_meta_rejected(err(-32602), "no _meta") == []
    assert verdict(modern.missing_meta_rejected(err(-32600), "no _meta")) == [("VER-01", "fail")]
    assert verdict(modern.missing_meta_rejected(ok({}), "no _meta")) == [("VER-01", "fail")]


def test_unsupported_version_rejected() -> None:
    good = err(-32022, data={"supported": [V5], "requested": "1999-01-01"})
    assert modern.unsupported_version_rejected(good, "1999-01-01") == []
    assert verdict(modern.unsupported_version_rejected(err(-32022), "1999-01-01")) == [("VER-02", "fail")]
    wrong = err(-32022, data={"supported": V5, "requested": "2000-01-01"})
    assert verdict(modern.unsupported_version_rejected(wrong, "1999-01-01")) == [
        ("VER-02", "fail"),
        ("VER-02", "fail"),
    ]


def test_discover_result() -> None:
    assert modern.discover_result(ok(DISCOVERED, "server/discover"), V5) == []
    assert verdict(modern.discover_result(err(-32601, "server/discover"), V5)) == [("VER-03", "fail")]
    assert verdict(modern.discover_result(unanswered("server/discover"), V5)) == [("VER-03", "fail")]
    others = ok({**DISCOVERED, "supportedVersions": ["2025-11-25"]}, "server/discover")
    assert verdict(modern.discover_result(others, V5)) == [("VER-03", "warn")]
    bare = ok({"supportedVersions": [], "capabilities": []}, "server/discover")
    assert verdict(modern.discover_result(bare, V5)) == [
        ("VER-03", "fail"),
        ("VER-03", "fail"),
        ("VER-03", "warn"),
    ]


def test_server_info_in_meta() -> None:
    assert modern.server_info_in_meta(ok({"tools": [], "_meta": SERVER_INFO}, "tools/list")) == []
    assert modern.server_info_in_meta(err(-32601)) == []
    assert verdict(modern.server_info_in_meta(ok({"tools": []}, "tools/list"))) == [("VER-04", "warn")]


def test_served() -> None:
    assert modern.served(ok({"tools": []}, "tools/list"), "tools/list with its own _meta") == []
    assert verdict(modern.served(err(-32602), "tools/list with its own _meta")) == [("VER-05", "fail")]


def test_cache_hints() -> None:
    assert modern.cache_hints(ok(CACHED, "tools/list")) == []
    assert modern.cache_hints(ok({"resultType": "input_required", "inputRequests": {}}, "tools/call")) == []
    assert verdict(modern.cache_hints(ok({"tools": []}, "tools/list"))) == [
        ("CACHE-01", "fail"),
        ("CACHE-01", "fail"),
    ]
    assert verdict(modern.cache_hints(ok({**CACHED, "ttlMs": -1, "cacheScope": "shared"}, "tools/list"))) == [
        ("CACHE-01", "fail"),
        ("CACHE-01", "fail"),
    ]
    with_hints = ok({"resultType": "input_required", "ttlMs": 5}, "tools/call")
    assert verdict(modern.cache_hints(with_hints)) == [("CACHE-01", "fail")]
    assert (
        modern.cache_hints(ok({"resultType": "input_required", "ttlMs": 5}, "tools/list")) == []
    )  # RPC-13's


def test_same_cache_scope() -> None:
    assert modern.same_cache_scope([ok(CACHED, "tools/list"), ok(CACHED, "tools/list"), err(-32602)]) == []
    mixed = [ok(CACHED, "tools/list"), ok({**CACHED, "cacheScope": "private"}, "tools/list")]
    assert verdict(modern.same_cache_scope(mixed)) == [("CACHE-02", "fail")]


def test_extension_ids() -> None:
    assert modern.extension_ids({"extensions": {"com.example/audit": {}}}) == []
    assert modern.extension_ids({}) == []
    assert verdict(modern.extension_ids({"extensions": {"audit": {}, "com.example/ok": {}}})) == [
        ("VER-08", "fail")
    ]


def test_removed_method_is_always_info() -> None:
    for exchange in (ok({}), err(-32601), err(-32600)):
        finding = modern.removed_method("initialize", exchange)
        assert (finding.rule, finding.severity) == ("VER-09", "info")


def test_all_results_keeps_only_object_results() -> None:
    results = [ok({}), err(-32601), ok("text"), unanswered()]
    assert modern.all_results(results) == [results[0]]


def test_input_required_content() -> None:
    assert modern.input_required_content(ok({"resultType": "input_required", "requestState": "s1"})) == []
    assert modern.input_required_content(ok({"content": []})) == []
    assert verdict(modern.input_required_content(ok({"resultType": "input_required"}))) == [
        ("MRTR-01", "fail")
    ]


def test_input_requests_declared() -> None:
    asks = ok({"resultType": "input_required", "inputRequests": {"a": {"method": "elicitation/create"}}})
    assert modern.input_requests_declared(asks, {"elicitation": {}}) == []
    assert verdict(modern.input_requests_declared(asks, {})) == [("MRTR-02", "fail")]
    odd = ok({"resultType": "input_required", "inputRequests": {"a": {"method": "tools/call"}}})
    assert verdict(modern.input_requests_declared(odd, {"elicitation": {}})) == [("MRTR-02", "fail")]
