"""harness/checks/dialects.py: each client limit fires on the construct it names, and only there."""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import dialects as d
from tests.unit.builders import verdict

CLOSED: dict[str, Any] = {"type": "object", "additionalProperties": False}


def tool(name: str = "search", schema: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "inputSchema": schema or {**CLOSED, "properties": {}}, **extra}


def nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {**CLOSED, "properties": {"x": {"type": "string"}}, "required": ["x"]}
    for _ in range(levels - 1):
        schema = {**CLOSED, "properties": {"in": schema}, "required": ["in"]}
    return schema


@pytest.mark.parametrize(
    ("name", "dialect01", "dialect02"),
    [
        ("get_weather", False, False),
        ("get-weather-2", False, False),
        ("admin.tools.list", True, False),  # dots: MCP and Gemini yes, OpenAI/Anthropic no
        ("ns:tool", True, False),
        ("2fa_check", False, True),  # digit first: Gemini no
        ("-dash-first", False, True),
        ("bad name", True, True),
        ("x" * 64, False, False),
        ("x" * 65, True, True),
        ("", True, True),
    ],
)
def test_name_patterns(name: str, dialect01: bool, dialect02: bool) -> None:
    assert bool(d.openai_anthropic_names([tool(name)])) is dialect01
    assert bool(d.gemini_names([tool(name)])) is dialect02


def test_names_findings_are_warn_and_info_and_name_the_tools() -> None:
    (f01,) = d.openai_anthropic_names([tool("a.b"), tool("ok"), tool("c d")])
    assert verdict([f01]) == [("DIALECT-01", "warn")] and "'a.b', 'c d'" in f01.message
    assert [e["tool"] for e in f01.evidence] == ["a.b", "c d"]
    assert verdict(d.gemini_names([tool("9lives")])) == [("DIALECT-02", "info")]


def test_cursor_counts_server_and_tool_name_together() -> None:
    server = "mcp-harness-spec-server"  # 23
    assert d.cursor_name_length([tool("x" * 37)], server) == []  # 60: fine
    (found,) = d.cursor_name_length([tool("x" * 38), tool("short")], server)
    assert found.rule == "DIALECT-03" and found.severity == "info" and len(found.evidence) == 1


def test_tool_count_limit_is_128() -> None:
    assert d.tool_count([tool(f"t{n}") for n in range(128)]) == []
    assert verdict(d.tool_count([tool(f"t{n}") for n in range(129)])) == [("DIALECT-04", "warn")]


def test_references_anywhere_in_input_or_output_schema() -> None:
    ref = {**CLOSED, "properties": {"p": {"$ref": "#/$defs/p"}}, "required": ["p"], "$defs": {"p": CLOSED}}
    (found,) = d.gemini_references(tool(schema=ref))
    assert "inputSchema/properties/p/$ref" in found.message and "inputSchema/$defs" in found.message
    deep_out = tool(outputSchema={**CLOSED, "properties": {"r": {"items": {"$ref": "#/definitions/x"}}}})
    assert verdict(d.gemini_references(deep_out)) == [("DIALECT-05", "info")]
    assert d.gemini_references(tool()) == []


def test_type_unions_and_boolean_subschemas() -> None:
    union = {**CLOSED, "properties": {"n": {"type": ["string", "null"]}}, "required": ["n"]}
    assert "inputSchema/properties/n/type" in d.gemini_types(tool(schema=union))[0].message
    anything = {**CLOSED, "properties": {"v": True}, "required": ["v"]}
    assert "inputSchema/properties/v = true" in d.gemini_types(tool(schema=anything))[0].message
    open_items = {**CLOSED, "properties": {"l": {"type": "array", "items": False}}, "required": ["l"]}
    assert d.gemini_types(tool(schema=open_items))  # only additionalProperties: false is tolerated
    assert d.gemini_types(tool()) == []  # additionalProperties: false is dropped harmlessly


@pytest.mark.parametrize(
    ("schema", "expect"),
    [
        ({**CLOSED, "properties": {"a": {"type": "string"}}, "required": ["a"]}, None),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            "additionalProperties",
        ),
        (
            {**CLOSED, "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["a"]},
            "leaves b optional",
        ),
        (
            {**CLOSED, "properties": {"a": {**CLOSED, "properties": {"z": {}}}}, "required": ["a"]},
            "inputSchema/properties/a leaves z",
        ),
        ({**CLOSED, "properties": {}, "allOf": [CLOSED]}, "uses allOf"),
        ({"anyOf": [CLOSED]}, "root is not a plain object"),
    ],
)
def test_openai_strict_mode(schema: dict[str, Any], expect: str | None) -> None:
    found = d.openai_strict(tool(schema=schema))
    if expect is None:
        assert found == []
    else:
        assert verdict(found) == [("DIALECT-07", "info")] and expect in found[0].message


def test_openai_limits_depth_properties_enums() -> None:
    assert d.openai_limits(tool(schema=nested(10))) == []
    assert "11 levels of object nesting" in d.openai_limits(tool(schema=nested(11)))[0].message
    wide = {**CLOSED, "properties": {f"p{n}": {"type": "string"} for n in range(5001)}}
    assert "5001 properties" in d.openai_limits(tool(schema=wide))[0].message
    enums = {**CLOSED, "properties": {"e": {"enum": list(range(1001))}}, "required": ["e"]}
    assert "1001 enum values" in d.openai_limits(tool(schema=enums))[0].message


def test_malformed_tools_are_left_to_the_tool_rules() -> None:
    odd: list[Any] = ["not a tool", {"name": 5}, {"name": "x", "inputSchema": "nope"}]
    assert d.openai_anthropic_names(odd) == [] and d.tool_count(odd) == []
    assert d.openai_strict(odd[2]) == [] and d.gemini_types(odd[2]) == [] and d.openai_limits(odd[2]) == []
