"""harness/checks/tools.py: TOOL-01..15 over listed tools and tools/call exchanges."""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import tools
from tests.unit.builders import V2, V3, V4, V5, err, ok, unanswered, verdict

ECHO = {"name": "echo", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}}
TYPED = {
    **ECHO,
    "name": "typed",
    "outputSchema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
}
PNG = "iVBORw0KGgo="


def result(**fields: Any) -> Any:
    return ok({"content": [], **fields})


def structured(value: Any, text: str | None = None) -> Any:
    content = [{"type": "text", "text": text}] if text is not None else []
    return ok({"content": content, "structuredContent": value})


# -- listing -------------------------------------------------------------------


def test_tool_list_shape() -> None:
    assert tools.tool_list_shape([ECHO], ok({"tools": [ECHO]}, "tools/list")) == []
    assert verdict(tools.tool_list_shape([], ok({}, "tools/list"))) == [("TOOL-01", "fail")]


@pytest.mark.parametrize(
    "tool",
    [
        "echo",
        {"inputSchema": {"type": "object"}},
        {"name": "x"},
        {"name": "x", "inputSchema": {"type": "string"}},
    ],
)
def test_tool_list_shape_bad_tools(tool: Any) -> None:
    assert verdict(tools.tool_list_shape([tool], ok({"tools": [tool]}, "tools/list"))) == [
        ("TOOL-01", "fail")
    ]


def test_tool_schemas_valid() -> None:
    assert tools.tool_schemas_valid(TYPED, V4) == []
    broken = {**ECHO, "inputSchema": {"type": "object", "properties": {"a": {"type": "strin"}}}}
    assert verdict(tools.tool_schemas_valid(broken, V4)) == [("TOOL-02", "fail")]
    assert verdict(tools.tool_schemas_valid(broken, V2)) == [("TOOL-02", "warn")]
    assert verdict(tools.tool_schemas_valid({**ECHO, "outputSchema": None}, V4)) == [("TOOL-02", "fail")]
    unknown = {**ECHO, "inputSchema": {"$schema": "https://example.com/dialect", "type": "object"}}
    assert verdict(tools.tool_schemas_valid(unknown, V4)) == [("TOOL-02", "info")]


def test_output_schema_type() -> None:
    assert tools.output_schema_type(TYPED, V3) == []
    array_out = {**ECHO, "outputSchema": {"type": "array"}}
    assert verdict(tools.output_schema_type(array_out, V4)) == [("TOOL-03", "fail")]
    assert tools.output_schema_type(array_out, V5) == []  # any schema from 2026-07-28
    assert tools.output_schema_type(array_out, V2) == []  # no outputSchema before 2025-06-18


def test_annotation_types() -> None:
    assert tools.annotation_types(ECHO) == []
    assert tools.annotation_types({**ECHO, "annotations": {"readOnlyHint": True, "title": "Echo"}}) == []
    assert verdict(tools.annotation_types({**ECHO, "annotations": {"readOnlyHint": "yes"}})) == [
        ("TOOL-08", "fail")
    ]
    assert verdict(tools.annotation_types({**ECHO, "annotations": {"title": 5}})) == [("TOOL-08", "fail")]
    assert verdict(tools.annotation_types({**ECHO, "annotations": None})) == [("TOOL-08", "fail")]
    contradictory = {**ECHO, "annotations": {"readOnlyHint": True, "destructiveHint": True}}
    assert verdict(tools.annotation_types(contradictory)) == [("TOOL-08", "info")]


def test_distinct_listing_drops_pagination_repeats_only() -> None:
    a, b, c = {"name": "a"}, {"name": "b"}, {"name": "c"}
    assert tools.distinct_listing([[a, b], [b, c]]) == [a, b, c]  # the page repeats the previous last item
    assert tools.distinct_listing([[a, b], [c, a]]) == [a, b, c, a]  # listed twice: TOOL-09 judges it
    assert tools.distinct_listing([[a, b], [a, b]]) == [a, b]  # a page served again


def test_tool_names() -> None:
    assert tools.tool_names([ECHO, {"name": "jira.search_issues-v2"}]) == []
    assert verdict(tools.tool_names([{"name": "has space"}])) == [("TOOL-09", "warn")]
    assert verdict(tools.tool_names([{"name": "x" * 129}])) == [("TOOL-09", "warn")]
    assert verdict(tools.tool_names([ECHO, ECHO])) == [("TOOL-09", "warn")]


def with_header(prop: dict[str, Any], **others: Any) -> dict[str, Any]:
    return {"name": "h", "inputSchema": {"type": "object", "properties": {"p": prop, **others}}}


def test_header_annotations() -> None:
    good = with_header(
        {"type": "string", "x-mcp-header": "Region"}, q={"type": ["integer", "null"], "x-mcp-header": "Page"}
    )
    assert tools.header_annotations(good) == []


@pytest.mark.parametrize(
    "tool",
    [
        with_header({"type": "string", "x-mcp-header": "Bad Header"}),
        with_header({"type": "string", "x-mcp-header": ""}),
        with_header(
            {"type": "string", "x-mcp-header": "Region"}, q={"type": "string", "x-mcp-header": "region"}
        ),
        with_header({"type": "number", "x-mcp-header": "Price"}),
        with_header({"type": "array", "items": {"type": "string", "x-mcp-header": "Item"}}),
    ],
)
def test_header_annotations_bad(tool: dict[str, Any]) -> None:
    assert verdict(tools.header_annotations(tool)) == [("TOOL-15", "fail")]


def test_header_annotation_without_a_type_is_not_verified() -> None:
    assert verdict(tools.header_annotations(with_header({"x-mcp-header": "Region"}))) == [("TOOL-15", "info")]


def test_list_stable() -> None:
    a, b = {"name": "a"}, {"name": "b"}
    assert tools.list_stable([a, b], [a, b], "a call", "tools/list") == []
    assert verdict(tools.list_stable([a, b], [b, a], "a call", "tools/list")) == [("TOOL-11", "warn")]
    [finding] = tools.list_stable([a], [a, b], "a call", "tools/list")
    assert (finding.rule, finding.severity) == ("TOOL-11", "fail") and "added ['b']" in finding.message


# -- calls ---------------------------------------------------------------------


def test_structured_content() -> None:
    assert tools.structured_content(TYPED, structured({"n": 1}), V4) == []
    assert tools.structured_content(ECHO, result(), V4) == []  # no outputSchema
    assert tools.structured_content(TYPED, result(isError=True), V4) == []  # errors need none
    assert verdict(tools.structured_content(TYPED, result(), V4)) == [("TOOL-03", "fail")]
    assert verdict(tools.structured_content(TYPED, structured({"n": "one"}), V4)) == [("TOOL-03", "fail")]


def test_structured_content_must_be_an_object_before_2026() -> None:
    listed = {**ECHO, "outputSchema": {"type": "array"}}
    assert verdict(tools.structured_content(listed, structured([1]), V4)) == [("TOOL-03", "fail")]
    assert tools.structured_content(listed, structured([1]), V5) == []


def test_structured_content_with_an_unusable_schema_is_left_to_tool02() -> None:
    broken = {**ECHO, "outputSchema": {"type": "object", "properties": {"n": {"type": "strin"}}}}
    assert verdict(tools.structured_content(broken, structured({"n": 1}), V4)) == [("TOOL-03", "info")]


def test_text_copy() -> None:
    assert tools.text_copy(TYPED, structured({"n": 1}, text='{"n": 1}')) == []
    assert tools.text_copy(TYPED, result()) == []
    assert verdict(tools.text_copy(TYPED, structured({"n": 1}, text="one"))) == [("TOOL-04", "warn")]


def test_unknown_tool() -> None:
    assert tools.unknown_tool(err(-32602), "nope") == []
    assert verdict(tools.unknown_tool(err(-32601), "nope")) == [("TOOL-05", "warn")]
    assert verdict(tools.unknown_tool(result(isError=True), "nope")) == [("TOOL-05", "fail")]
    assert verdict(tools.unknown_tool(unanswered(), "nope")) == [("TOOL-05", "fail")]


@pytest.mark.parametrize(
    ("answer", "version", "expected"),
    [
        (result(isError=True), V4, []),
        (err(-32602), V3, []),
        (err(-32602), V4, [("TOOL-06", "warn")]),  # SEP-1303: an isError result
        (err(-32603), V3, [("TOOL-06", "info")]),
        (result(), V3, [("TOOL-06", "fail")]),
        (unanswered(), V3, [("TOOL-06", "fail")]),
    ],
)
def test_invalid_arguments_answer(answer: Any, version: str, expected: list) -> None:
    assert verdict(tools.invalid_arguments_answer(ECHO, answer, "text=5", version)) == expected


def test_error_result_shape() -> None:
    assert tools.error_result_shape(ECHO, result(isError=True)) == []
    assert tools.error_result_shape(ECHO, ok({"isError": False})) == []  # not an error result
    assert verdict(tools.error_result_shape(ECHO, ok({"isError": True}))) == [("TOOL-07", "fail")]


def test_hostile_answer() -> None:
    assert tools.hostile_answer(ECHO, err(-32602), "huge string", valid=False) == []
    assert tools.hostile_answer(ECHO, result(), "huge string", valid=True) == []
    assert verdict(tools.hostile_answer(ECHO, result(), "huge string", valid=False)) == [("TOOL-14", "fail")]
    assert verdict(tools.hostile_answer(ECHO, unanswered(), "huge string", valid=True)) == [
        ("TOOL-14", "fail")
    ]


def test_content_blocks() -> None:
    good = ok(
        {
            "content": [
                {"type": "image", "data": PNG, "mimeType": "image/png"},
                {"type": "resource_link", "uri": "file:///a", "name": "a"},
            ]
        }
    )
    assert tools.content_blocks(ECHO, good, V3) == []
    assert verdict(
        tools.content_blocks(
            ECHO, ok({"content": [{"type": "audio", "data": "%%%", "mimeType": "audio/wav"}]}), V3
        )
    ) == [("TOOL-12", "fail")]
    assert verdict(tools.content_blocks(ECHO, ok({"content": [{"type": "image", "data": PNG}]}), V3)) == [
        ("TOOL-12", "fail")
    ]
    assert verdict(
        tools.content_blocks(ECHO, ok({"content": [{"type": "resource_link", "uri": "file:///a"}]}), V3)
    ) == [("TOOL-12", "fail")]


def test_embedded_resources() -> None:
    embedded = ok({"content": [{"type": "resource", "resource": {"uri": "file:///a", "text": "a"}}]})
    assert tools.embedded_resources(ECHO, embedded, {"resources": {}}) == []
    assert tools.embedded_resources(ECHO, result(), {}) == []
    assert verdict(tools.embedded_resources(ECHO, embedded, {})) == [("TOOL-13", "warn")]


def test_call_result_helpers() -> None:
    assert tools.is_call_result(result()) and tools.is_success(result())
    assert tools.is_call_result(result(isError=True)) and not tools.is_success(result(isError=True))
    assert not tools.is_call_result(ok({"resultType": "input_required"})) and not tools.is_call_result(
        err(-1)
    )
    assert tools.trim({"a": "x" * 5000}) == {"truncated": tools.trim({"a": "x" * 5000})["truncated"]}
    assert tools.tool_label({"name": "echo"}) == "'echo'" and tools.tool_label(3) == "(unnamed tool)"
