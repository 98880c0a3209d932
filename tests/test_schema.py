"""harness.schema: right definition per method, precise errors, and never any network."""

from __future__ import annotations

import copy
import json
import urllib.request
from typing import Any

import pytest

from harness import schema
from harness.protocol.versions import ALL_VERSIONS, LEGACY_VERSIONS, V1, V3, V4, V5, is_modern
from harness.schema import (
    MAX_ERRORS,
    UNSUPPORTED_DIALECT,
    check_tool_schema,
    result_definition,
    result_definitions,
    validate_definition,
    validate_incoming,
    validate_notification,
    validate_response,
    validate_server_request,
    validator_for_tool_schema,
)

# --------------------------------------------------------------------------- corpus


def _result(version: str, body: dict[str, Any], *, cacheable: bool = False) -> dict[str, Any]:
    """A result with the V5-only required fields added when the version needs them."""
    body = copy.deepcopy(body)
    if is_modern(version):
        body.setdefault("resultType", "complete")
        if cacheable:
            body.setdefault("ttlMs", 0)
            body.setdefault("cacheScope", "private")
    return body


def _response(version: str, body: dict[str, Any], *, cacheable: bool = False, rid: Any = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "result": _result(version, body, cacheable=cacheable)}


TOOL = {"name": "echo", "description": "Echo text", "inputSchema": {"type": "object"}}
TEXT = {"type": "text", "text": "hello"}


def good_frames(version: str) -> list[tuple[str | None, dict[str, Any]]]:
    """(request method, frame) pairs a correct server may send at ``version``."""
    frames: list[tuple[str | None, dict[str, Any]]] = [
        ("tools/list", _response(version, {"tools": [TOOL]}, cacheable=True)),
        ("tools/list", _response(version, {"tools": [], "nextCursor": "abc"}, cacheable=True)),
        ("tools/call", _response(version, {"content": [TEXT]})),
        ("tools/call", _response(version, {"content": [TEXT], "isError": True})),
        (
            "resources/list",
            _response(version, {"resources": [{"uri": "file:///a", "name": "a"}]}, cacheable=True),
        ),
        (
            "resources/read",
            _response(
                version,
                {"contents": [{"uri": "file:///a", "text": "x"}, {"uri": "b:/", "blob": "AA=="}]},
                cacheable=True,
            ),
        ),
        (
            "prompts/list",
            _response(version, {"prompts": [{"name": "p", "arguments": [{"name": "x"}]}]}, cacheable=True),
        ),
        ("prompts/get", _response(version, {"messages": [{"role": "user", "content": TEXT}]})),
        ("completion/complete", _response(version, {"completion": {"values": ["a", "b"]}})),
        ("tools/list", {"jsonrpc": "2.0", "id": "x", "error": {"code": -32601, "message": "nope"}}),
        ("tools/call", {"jsonrpc": "2.0", "id": 3, "error": {"code": -32602, "message": "bad", "data": [1]}}),
        (
            None,
            {
                "jsonrpc": "2.0",
                "method": "notifications/progress",
                "params": {"progressToken": 7, "progress": 0.5},
            },
        ),
        (None, {"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}),
    ]
    if is_modern(version):
        frames += [
            (
                "server/discover",
                _response(
                    version,
                    {
                        "supportedVersions": [V5],
                        "capabilities": {"tools": {}},
                        "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "s", "version": "1"}},
                    },
                    cacheable=True,
                ),
            ),
            (
                "tools/call",
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "result": {
                        "resultType": "input_required",
                        "requestState": "opaque",
                    },
                },
            ),
        ]
    else:
        frames += [
            (
                "initialize",
                _response(
                    version,
                    {
                        "protocolVersion": version,
                        "capabilities": {"tools": {}},
                        "serverInfo": {"name": "s", "version": "1"},
                    },
                ),
            ),
            ("ping", _response(version, {})),
            ("logging/setLevel", _response(version, {})),
            (None, {"jsonrpc": "2.0", "id": 5, "method": "roots/list"}),
            (None, {"jsonrpc": "2.0", "id": 6, "method": "ping"}),
            (
                None,
                {
                    "jsonrpc": "2.0",
                    "method": "notifications/message",
                    "params": {"level": "info", "data": "x"},
                },
            ),
        ]
    return frames


def bad_frames(version: str) -> list[tuple[str | None, dict[str, Any], str]]:
    """(request method, frame, text expected in some error) for frames a correct server never sends."""
    frames: list[tuple[str | None, dict[str, Any], str]] = [
        ("tools/list", _response(version, {"tools": [{"name": "x"}]}, cacheable=True), "inputSchema"),
        (
            "tools/list",
            _response(version, {"tools": [{"name": "x", "inputSchema": {"type": "array"}}]}, cacheable=True),
            "object",
        ),
        ("tools/list", _response(version, {}, cacheable=True), "tools"),
        ("tools/call", _response(version, {"isError": True}), "content"),
        ("tools/call", _response(version, {"content": [{"type": "text"}]}), "text"),
        ("tools/call", _response(version, {"content": [{"type": "image", "data": "AA=="}]}), "mimeType"),
        ("tools/call", _response(version, {"content": [TEXT], "isError": "yes"}), "boolean"),
        ("resources/read", _response(version, {"contents": [{"text": "x"}]}, cacheable=True), "uri"),
        ("prompts/get", _response(version, {"messages": [{"role": "robot", "content": TEXT}]}), "role"),
        ("tools/call", {"jsonrpc": "2.0", "id": 1, "error": {"code": "-32602", "message": "bad"}}, "integer"),
        ("tools/call", {"jsonrpc": "2.0", "id": 1, "error": {"code": -32602}}, "message"),
        ("tools/call", {"jsonrpc": "1.0", "id": 1, "result": _result(version, {"content": []})}, "2.0"),
        (
            "tools/list",
            {"jsonrpc": "2.0", "id": None, "result": _result(version, {"tools": []}, cacheable=True)},
            "id",
        ),
        (
            None,
            {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progress": 1}},
            "progressToken",
        ),
        (
            None,
            {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "loud", "data": 1}},
            "level",
        ),
    ]
    if is_modern(version):
        frames += [
            ("tools/call", {"jsonrpc": "2.0", "id": 1, "result": {"content": [TEXT]}}, "resultType"),
            ("tools/list", _response(version, {"tools": []}), "ttlMs"),
            (
                "server/discover",
                _response(version, {"capabilities": {}}, cacheable=True),
                "supportedVersions",
            ),
        ]
    else:
        frames += [
            (
                "initialize",
                _response(version, {"protocolVersion": version, "capabilities": {}}),
                "serverInfo",
            ),
            (None, {"jsonrpc": "2.0", "id": None, "method": "roots/list"}, "id"),
        ]
    return frames


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_correct_frames_pass(version: str) -> None:
    for method, frame in good_frames(version):
        assert validate_incoming(version, frame, method) == [], (method, frame)


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_wrong_frames_fail_with_a_useful_message(version: str) -> None:
    for method, frame, needle in bad_frames(version):
        errors = validate_incoming(version, frame, method)
        assert errors, (method, frame)
        assert any(needle in str(e) for e in errors), (needle, [str(e) for e in errors])
        assert len(errors) <= MAX_ERRORS


def test_specific_errors_point_at_the_field() -> None:
    frame = _response(V3, {"tools": [TOOL, {"name": "x"}]})
    [error] = validate_response(V3, "tools/list", frame)
    assert error.path == "/result/tools/1"
    assert error.definition == "ListToolsResult"
    assert "inputSchema" in error.message


def test_content_block_union_reports_the_matching_branch() -> None:
    """A broken image block is explained as an image block, not as 'matches none of N shapes'."""
    frame = _response(V4, {"content": [{"type": "image", "data": "AA=="}]})
    [error] = validate_response(V4, "tools/call", frame)
    assert error.path == "/result/content/0"
    assert "mimeType" in error.message


def test_v5_result_without_result_type_is_reported_once_by_the_method_definition() -> None:
    errors = validate_response(V5, "tools/call", {"jsonrpc": "2.0", "id": 1, "result": {"content": []}})
    assert [(e.path, e.definition) for e in errors] == [("/result", "CallToolResult")]
    assert "resultType" in errors[0].message


def test_v5_input_required_result_is_accepted_only_where_allowed() -> None:
    frame = {"jsonrpc": "2.0", "id": 1, "result": {"resultType": "input_required", "requestState": "s"}}
    for method in ("tools/call", "resources/read", "prompts/get"):
        assert validate_response(V5, method, frame) == []
    assert validate_response(V5, "tools/list", frame)  # no tools/ttlMs: ListToolsResult applies


def test_v4_task_result_for_tools_call() -> None:
    task = {
        "taskId": "t1",
        "status": "working",
        "createdAt": "2025-01-01T00:00:00Z",
        "lastUpdatedAt": "2025-01-01T00:00:00Z",
        "ttl": None,
    }
    assert validate_response(V4, "tools/call", {"jsonrpc": "2.0", "id": 1, "result": {"task": task}}) == []
    assert validate_response(V4, "tools/call", {"jsonrpc": "2.0", "id": 1, "result": {"task": {}}})


def test_huge_instances_give_short_messages() -> None:
    frame = _response(V3, {"content": "x" * 1_000_000})
    errors = validate_response(V3, "tools/call", frame)
    assert errors and all(len(e.message) < 300 for e in errors)


def test_many_problems_are_capped() -> None:
    frame = _response(V3, {"tools": [{"name": i} for i in range(100)]})
    errors = validate_response(V3, "tools/list", frame)
    assert len(errors) == MAX_ERRORS
    assert errors == sorted(errors)


# --------------------------------------------------------------------------- parse errors (RPC-08)


@pytest.mark.parametrize("version", ALL_VERSIONS)
@pytest.mark.parametrize("code", [-32700, -32600])
def test_parse_error_replies_without_id_are_not_schema_validated(version: str, code: int) -> None:
    for frame in (
        {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": "Parse error"}},
        {"jsonrpc": "2.0", "error": {"code": code, "message": "Parse error"}},
    ):
        assert validate_response(version, None, frame) == []
        assert validate_incoming(version, frame) == []


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_other_errors_with_null_id_are_validated(version: str) -> None:
    frame = {"jsonrpc": "2.0", "id": None, "error": {"code": -32601, "message": "x"}}
    assert validate_response(version, "tools/list", frame)


def test_missing_id_on_an_ordinary_error_depends_on_the_version() -> None:
    frame = {"jsonrpc": "2.0", "error": {"code": -32601, "message": "x"}}
    assert validate_response(V3, "tools/list", frame)  # V1-V3 require id
    assert validate_response(V4, "tools/list", frame) == []  # optional from V4


# --------------------------------------------------------------------------- notifications / requests


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_unknown_notification_is_not_a_schema_failure(version: str) -> None:
    frame = {"jsonrpc": "2.0", "method": "notifications/x-vendor/thing", "params": {"a": 1}}
    assert validate_notification(version, frame) == []
    assert validate_notification(version, {"method": "notifications/x"})  # but the envelope still counts


def test_server_request_is_checked_against_its_definition() -> None:
    assert validate_server_request(V3, {"jsonrpc": "2.0", "id": 1, "method": "sampling/createMessage"})
    ok = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "elicitation/create",
        "params": {"message": "name?", "requestedSchema": {"type": "object", "properties": {}}},
    }
    assert validate_server_request(V3, ok) == []


def test_batch_items_are_validated_with_their_index() -> None:
    batch = [_response(V1, {}), {"jsonrpc": "2.0", "id": 2, "error": {"code": "x", "message": "m"}}]
    [error] = validate_incoming(V1, batch)
    assert error.path == "/1/error/code"


# --------------------------------------------------------------------------- method -> definition mapping

SPEC_RULES_MAPPING = {
    "initialize": "InitializeResult",
    "server/discover": "DiscoverResult",
    "tools/list": "ListToolsResult",
    "tools/call": "CallToolResult",
    "resources/list": "ListResourcesResult",
    "resources/templates/list": "ListResourceTemplatesResult",
    "resources/read": "ReadResourceResult",
    "prompts/list": "ListPromptsResult",
    "prompts/get": "GetPromptResult",
    "completion/complete": "CompleteResult",
    "ping": "EmptyResult",
    "logging/setLevel": "EmptyResult",
    "resources/subscribe": "EmptyResult",
    "resources/unsubscribe": "EmptyResult",
    "subscriptions/listen": "SubscriptionsListenResult",
}


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_every_client_method_maps_to_an_existing_result_definition(version: str) -> None:
    names = set(schema.definition_names(version))
    methods = schema.client_methods(version)
    assert methods, "ClientRequest union not found"
    for method in methods:
        defs = result_definitions(version, method)
        assert defs and set(defs) <= names, method
        assert "ServerResult" not in defs
        if method in SPEC_RULES_MAPPING:
            assert defs[0] == SPEC_RULES_MAPPING[method]


def test_mapping_follows_the_version() -> None:
    assert result_definition(V5, "initialize") is None
    assert result_definition(V5, "ping") is None
    assert result_definition(V4, "server/discover") is None
    assert result_definition(V1, "completion/complete") == "CompleteResult"
    assert result_definition(V4, "tasks/get") == "GetTaskResult"
    assert result_definition(V3, "tasks/get") is None
    assert result_definitions(V5, "tools/call") == ("CallToolResult", "InputRequiredResult")
    assert result_definitions(V5, "resources/read") == ("ReadResourceResult", "InputRequiredResult")
    assert result_definitions(V5, "prompts/get") == ("GetPromptResult", "InputRequiredResult")
    assert result_definitions(V4, "tools/call") == ("CallToolResult", "CreateTaskResult")
    assert result_definitions(V3, "tools/call") == ("CallToolResult",)


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_every_server_notification_and_request_maps(version: str) -> None:
    for method in schema.server_notification_methods(version):
        name = schema.notification_definition(version, method)
        assert name and name.endswith("Notification") and not name.startswith(("Server", "Client")), method
    for method in schema.server_request_methods(version):
        assert schema.server_request_definition(version, method), method
    assert schema.notification_definition(version, "notifications/cancelled") == "CancelledNotification"


def test_server_requests_per_version() -> None:
    assert schema.server_request_definition(V1, "ping") == "PingRequest"
    assert schema.server_request_definition(V1, "roots/list") == "ListRootsRequest"
    assert schema.server_request_definition(V1, "sampling/createMessage") == "CreateMessageRequest"
    assert schema.server_request_definition(V1, "elicitation/create") is None
    assert schema.server_request_definition(V3, "elicitation/create") == "ElicitRequest"
    assert schema.server_request_methods(V5) == []


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_bundle_layout(version: str) -> None:
    legacy_layout = version in LEGACY_VERSIONS[:3]
    assert schema.definitions_key(version) == ("definitions" if legacy_layout else "$defs")
    assert ("draft-07" if legacy_layout else "2020-12") in schema.dialect(version)


def test_unknown_definition_name_suggests() -> None:
    with pytest.raises(KeyError, match="CallToolResult"):
        validate_definition(V3, "CallToolResults", {})


# --------------------------------------------------------------------------- tool schemas (TOOL-02)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make any urllib fetch fail loudly and record it."""
    calls: list[str] = []

    def refuse(url: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(getattr(url, "full_url", url)))
        raise AssertionError(f"network access attempted: {url}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return calls


REMOTE = {"type": "object", "properties": {"a": {"$ref": "https://example.invalid/schemas/a.json"}}}


def test_remote_ref_is_reported_not_fetched(no_network: list[str]) -> None:
    for version in ALL_VERSIONS:
        problems = check_tool_schema(REMOTE, version)
        assert problems and "remote $ref" in problems[0]
    assert no_network == []


def test_tool_validator_never_fetches(no_network: list[str]) -> None:
    validator = validator_for_tool_schema(REMOTE)
    with pytest.raises(Exception, match=r"Unresolvable|example\.invalid"):
        validator.validate({"a": 1})
    assert no_network == []


def test_bundled_schema_validation_never_fetches(no_network: list[str]) -> None:
    for version in ALL_VERSIONS:
        for method, frame in good_frames(version):
            validate_incoming(version, frame, method)
    assert no_network == []


def test_valid_tool_schemas() -> None:
    schema_ = {
        "type": "object",
        "properties": {"q": {"type": "string"}, "n": {"$ref": "#/$defs/n"}},
        "$defs": {"n": {"type": "integer", "minimum": 0}},
        "required": ["q"],
    }
    for version in ALL_VERSIONS:
        assert check_tool_schema(schema_, version) == []
    draft7 = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "definitions": {"x": {"type": "string"}},
        "properties": {"x": {"$ref": "#/definitions/x"}},
    }
    assert check_tool_schema(draft7, V4) == []


def test_invalid_tool_schema() -> None:
    problems = check_tool_schema({"type": "objekt"}, V4)
    assert problems and "objekt" in problems[0]
    assert check_tool_schema({"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}, V4)
    assert check_tool_schema(None, V4)


def test_dialect_defaults_by_version() -> None:
    """Array-form items is draft-07 only: fine with no stated dialect (V1-V3), invalid as 2020-12 (V4+)."""
    tuple_items = {"type": "object", "properties": {"p": {"type": "array", "items": [{"type": "string"}]}}}
    assert check_tool_schema(tuple_items, V3) == []
    assert check_tool_schema(tuple_items, V4)


def test_unknown_dialect_is_not_verified() -> None:
    [problem] = check_tool_schema({"$schema": "https://example.invalid/dialect", "type": "object"}, V4)
    assert problem.startswith(UNSUPPORTED_DIALECT)


def test_depth_and_size_guards() -> None:
    deep: dict[str, Any] = {"type": "object"}
    node = deep
    for _ in range(100):
        node["properties"] = {"a": {"type": "object"}}
        node = node["properties"]["a"]
    assert "nesting" in check_tool_schema(deep, V4)[0]
    big = {"type": "object", "description": "x" * 1_100_000}
    assert "byte limit" in check_tool_schema(big, V4)[0]


def test_tool_validator_validates_and_is_cached() -> None:
    s = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    v = validator_for_tool_schema(s)
    assert v.is_valid({"n": 1}) and not v.is_valid({"n": "1"})
    assert validator_for_tool_schema(json.loads(json.dumps(s))) is v


def test_results_are_plain_data() -> None:
    """SchemaError is hashable, ordered and prints as one line (reports and dedupe rely on it)."""
    frame = _response(V1, {"tools": [{"name": "x"}]})
    [error] = validate_response(V1, "tools/list", frame)
    assert str(error).startswith("/result/tools/0: ")
    assert len({error, error}) == 1


def test_no_network_fixture_would_catch_a_fetch(no_network: list[str]) -> None:
    """Control: plain jsonschema without a registry does fetch, so the fixture above is meaningful."""
    from jsonschema import Draft202012Validator

    with pytest.raises(Exception):  # noqa: B017 - any failure; what matters is the recorded fetch
        Draft202012Validator(REMOTE).validate({"a": 1})
    assert no_network == ["https://example.invalid/schemas/a.json"]


# --------------------------------------------------------------------------- optional jsonschema-rs fast path

EDGE_INSTANCES: list[Any] = [
    None,
    True,
    0,
    1.0,
    -5,
    2**53 - 1,
    2**70,
    1.5,
    "",
    "ünï 🚀",
    [],
    {},
    [1, "a", None],
    {"jsonrpc": "2.0", "id": 1.0, "result": {}},
    {"jsonrpc": "2.0", "id": True, "error": {"code": True, "message": "m"}},
    {"jsonrpc": "2.0", "id": 1, "error": {"code": 1.0, "message": "m"}},
    {"type": "text", "text": "x", "annotations": {"priority": 1.5, "audience": ["user"]}},
    {"type": "text", "text": "x", "annotations": {"priority": 0, "audience": ["robot"]}},
    {"uri": "file:///a", "blob": 5},
    {"name": "t", "inputSchema": {"type": "object", "properties": {"a": 1}}},
]


def _differential_corpus(version: str) -> list[Any]:
    frames = [f for _, f in good_frames(version)] + [f for _, f, _ in bad_frames(version)]
    results = [f["result"] for f in frames if isinstance(f.get("result"), dict)]
    return frames + results + EDGE_INSTANCES


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_fast_engine_agrees_with_jsonschema_on_every_definition(version: str) -> None:
    """jsonschema-rs only answers 'valid?'; it must agree with jsonschema on the whole corpus."""
    if schema.jsonschema_rs is None:
        pytest.skip("jsonschema-rs not installed (optional accelerator)")
    disagreements = []
    for name in schema.definition_names(version):
        slow = schema._validator(version, name)
        fast = schema._fast_validator(version, name, "jsonschema-rs")
        assert fast is not None, name
        for instance in _differential_corpus(version):
            try:
                fast_valid = fast.is_valid(instance)
            except Exception:
                continue  # not convertible: validate_definition falls back to jsonschema
            if fast_valid != slow.is_valid(instance):
                disagreements.append((name, json.dumps(instance)[:120], fast_valid))
    assert disagreements == []


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_engines_give_identical_reports(version: str) -> None:
    frames = [(m, f) for m, f in good_frames(version)] + [(m, f) for m, f, _ in bad_frames(version)]
    schema.set_engine("python")
    try:
        assert schema.engine() == "jsonschema"
        slow = [validate_incoming(version, f, m) for m, f in frames]
    finally:
        schema.set_engine("auto")
    fast = [validate_incoming(version, f, m) for m, f in frames]
    assert fast == slow
