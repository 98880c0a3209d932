"""Extra tools listed under the DIALECT-* faults: each breaks one client's documented limit, and only that.

Kept apart from features.py because they are not MCP behaviour at all: every
one is a valid MCP tool. Each is strict-mode ready (closed objects, every
property required) unless the fault is about exactly that, so one fault
shows as exactly one DIALECT rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CLOSED: dict[str, Any] = {"type": "object", "additionalProperties": False}


def _tool(name: str, schema: dict[str, Any] | None = None, description: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "description": description or f"A tool listed by a DIALECT fault ({name}).",
        "inputSchema": schema or {**CLOSED, "properties": {}},
    }


def _nested(levels: int) -> dict[str, Any]:
    """`levels` objects nested through one required property each (the root counts as one)."""
    schema: dict[str, Any] = {**CLOSED, "properties": {"leaf": {"type": "string"}}, "required": ["leaf"]}
    for _ in range(levels - 1):
        schema = {**CLOSED, "properties": {"inner": schema}, "required": ["inner"]}
    return schema


def _dotted() -> list[dict[str, Any]]:
    return [_tool("admin.tools.list")]  # MCP allows dots; OpenAI and Anthropic names do not


def _digit_first() -> list[dict[str, Any]]:
    return [_tool("2fa_check")]  # fine for OpenAI/Anthropic; Gemini names start with a letter or _


def _long_name() -> list[dict[str, Any]]:
    return [_tool("summarize_quarterly_revenue_by_sales_region")]  # 43 + the 23 of the server name > 60


def _many_tools() -> list[dict[str, Any]]:
    return [_tool(f"bulk_{n:03d}") for n in range(124)]  # with the 6 own tools: 130 > 128


def _ref_in_schema() -> list[dict[str, Any]]:
    place = {**CLOSED, "properties": {"city": {"type": "string"}}, "required": ["city"]}
    schema = {
        **CLOSED,
        "properties": {"where": {"$ref": "#/$defs/place"}},
        "required": ["where"],
        "$defs": {"place": place},
    }
    return [_tool("weather", schema)]


def _type_union() -> list[dict[str, Any]]:
    schema = {**CLOSED, "properties": {"note": {"type": ["string", "null"]}}, "required": ["note"]}
    return [_tool("annotate", schema)]


def _optional_property() -> list[dict[str, Any]]:
    schema = {
        **CLOSED,
        "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
        "required": ["query"],
    }
    return [_tool("search", schema)]


def _deep_nesting() -> list[dict[str, Any]]:
    return [_tool("deep", _nested(11))]


FAULT_TOOLS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "DIALECT-01-dotted-name": _dotted,
    "DIALECT-02-digit-first-name": _digit_first,
    "DIALECT-03-long-name": _long_name,
    "DIALECT-04-too-many-tools": _many_tools,
    "DIALECT-05-ref-in-schema": _ref_in_schema,
    "DIALECT-06-type-union": _type_union,
    "DIALECT-07-optional-property": _optional_property,
    "DIALECT-08-deep-nesting": _deep_nesting,
}


def extra_tools(active: Callable[[str], bool]) -> list[dict[str, Any]]:
    """The tools every active DIALECT fault adds to the listing."""
    return [tool for name, make in FAULT_TOOLS.items() if active(name) for tool in make()]
