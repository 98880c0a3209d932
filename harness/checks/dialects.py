"""Client dialects (DIALECT-*): would the major LLM clients accept each tool as listed?

MCP lets a tool name be up to 128 characters of `[A-Za-z0-9_.-]` and its
schemas be any JSON Schema, but a client hands tools on to a model API with
narrower rules: OpenAI and Anthropic reject function names outside
`^[a-zA-Z0-9_-]{1,64}$`, Gemini's function declarations take an OpenAPI 3.0
subset (no references, no type unions), OpenAI's strict mode wants closed
objects with every property required. A server can be fully conformant and
still have a tool that a popular client drops or rejects. These checks say so.

Never FAIL (the protocol allows all of it): WARN where the client's own
documentation states a hard rejection, INFO where the limit is only partly
documented or applies to an opt-in mode. Sources and decisions: docs/dialects.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, info, warn

OPENAI_ANTHROPIC_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
GEMINI_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")
CURSOR_COMBINED_MAX = 60
OPENAI_MAX_TOOLS = 128
OPENAI_MAX_DEPTH = 10
OPENAI_MAX_PROPERTIES = 5000
OPENAI_MAX_ENUM_VALUES = 1000
REF_KEYWORDS = ("$ref", "$defs", "definitions", "$dynamicRef")
OPENAI_UNSUPPORTED = ("allOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas")
SHOWN = 5  # names or paths quoted per finding; the rest are counted

# Keywords whose value is one subschema, a list of them, or a map of them.
_ONE = ("additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames")
_ONE += ("unevaluatedProperties", "unevaluatedItems", "additionalItems")
_MANY = ("anyOf", "oneOf", "allOf", "prefixItems")
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def _names(tools: list[Any]) -> list[str]:
    return [t["name"] for t in tools if isinstance(t, dict) and isinstance(t.get("name"), str)]


def _affected(tool: Any, detail: str) -> dict[str, Any]:
    """Evidence naming one tool: what the per-client tables of the report list."""
    return {"tool": str(tool), "detail": detail}


def _quote(items: list[str]) -> str:
    shown = ", ".join(repr(i) for i in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def subschemas(schema: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
    """Every (JSON pointer, subschema) in `schema`, itself first; booleans included, where they stand."""
    yield path, schema
    if not isinstance(schema, dict):
        return
    for key in _ONE:
        value = schema.get(key)
        if isinstance(value, (dict, bool)):
            yield from subschemas(value, f"{path}/{key}")
        elif key in ("items", "additionalItems") and isinstance(value, list):
            for i, item in enumerate(value):
                yield from subschemas(item, f"{path}/{key}/{i}")
    for key in _MANY:
        value = schema.get(key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from subschemas(item, f"{path}/{key}/{i}")
    for key in _MAP:
        value = schema.get(key)
        if isinstance(value, dict):
            for name, item in value.items():
                yield from subschemas(item, f"{path}/{key}/{name}")


def _schemas(
    tool: dict[str, Any], which: tuple[str, ...] = ("inputSchema", "outputSchema")
) -> Iterator[tuple[str, Any]]:
    for field in which:
        if isinstance(tool.get(field), dict):
            yield field, tool[field]


@check("DIALECT-01")
def openai_anthropic_names(tools: list[Any]) -> list[Finding]:
    """OpenAI function names and Anthropic tool names must match ^[a-zA-Z0-9_-]{1,64}$."""
    bad = [n for n in _names(tools) if not OPENAI_ANTHROPIC_NAME.match(n)]
    if not bad:
        return []
    return [
        warn(
            "DIALECT-01",
            f"{len(bad)} tool name(s) outside ^[a-zA-Z0-9_-]{{1,64}}$, which the OpenAI and Anthropic APIs "
            f"reject unless the client renames them: {_quote(bad)}",
            *(_affected(n, "name outside the pattern") for n in bad),
        )
    ]


@check("DIALECT-02")
def gemini_names(tools: list[Any]) -> list[Finding]:
    """Gemini/Vertex function names start with a letter or underscore; then [a-zA-Z0-9_.:-], 64 at most."""
    bad = [n for n in _names(tools) if not GEMINI_NAME.match(n)]
    if not bad:
        return []
    return [
        info(
            "DIALECT-02",
            f"{len(bad)} tool name(s) a Gemini function declaration does not accept (must start with a "
            f"letter or underscore; letters, digits, _ . : - only; at most 64): {_quote(bad)}",
            *(_affected(n, "not a Gemini function name") for n in bad),
        )
    ]


@check("DIALECT-03")
def cursor_name_length(tools: list[Any], server_name: str) -> list[Finding]:
    """Cursor warns when server name + tool name exceed 60 characters (the user picks the server name)."""
    long = [n for n in _names(tools) if len(server_name) + len(n) > CURSOR_COMBINED_MAX]
    if not long:
        return []
    return [
        info(
            "DIALECT-03",
            f"{len(long)} tool name(s) longer than {CURSOR_COMBINED_MAX} characters together with the "
            f"server name {server_name!r} ({len(server_name)}), where Cursor warns and may drop the tool: "
            f"{_quote(long)}",
            *(_affected(n, f"{len(server_name) + len(n)} characters with the server name") for n in long),
        )
    ]


@check("DIALECT-04")
def tool_count(tools: list[Any]) -> list[Finding]:
    """OpenAI accepts at most 128 functions per request; a client sending every tool hits that."""
    count = len(_names(tools))
    if count <= OPENAI_MAX_TOOLS:
        return []
    return [
        warn(
            "DIALECT-04",
            f"the server lists {count} tools; the OpenAI API accepts at most {OPENAI_MAX_TOOLS} functions "
            "in one request, so a client offering them all is refused",
            {"tool": "*", "detail": f"{count} tools listed"},
        )
    ]


@check("DIALECT-05")
def gemini_references(tool: dict[str, Any]) -> list[Finding]:
    """Gemini's OpenAPI 3.0 schema subset has no references: $ref, $defs and definitions must be inlined."""
    found = [
        f"{field}{path[1:]}/{key}"
        for field, schema in _schemas(tool)
        for path, node in subschemas(schema)
        if isinstance(node, dict)
        for key in REF_KEYWORDS
        if key in node
    ]
    if not found:
        return []
    return [
        info(
            "DIALECT-05",
            f"tool {tool.get('name')!r}: schema references a Gemini function declaration cannot carry "
            f"(inline them): {_quote(found)}",
            _affected(tool.get("name"), _quote(found)),
        )
    ]


@check("DIALECT-06")
def gemini_types(tool: dict[str, Any]) -> list[Finding]:
    """Gemini's schema subset: one `type` per schema (nullable instead of unions), no boolean schemas."""
    found = []
    for field, schema in _schemas(tool):
        for path, node in subschemas(schema):
            where = f"{field}{path[1:]}"
            if isinstance(node, bool) and not (path.endswith("/additionalProperties") and node is False):
                found.append(f"{where} = {str(node).lower()}")
            elif isinstance(node, dict) and isinstance(node.get("type"), list):
                found.append(f"{where}/type = {node['type']}")
    if not found:
        return []
    return [
        info(
            "DIALECT-06",
            f"tool {tool.get('name')!r}: type unions or boolean subschemas, which Gemini's OpenAPI 3.0 "
            f"subset cannot express: {_quote(found)}",
            _affected(tool.get("name"), _quote(found)),
        )
    ]


@check("DIALECT-07")
def openai_strict(tool: dict[str, Any]) -> list[Finding]:
    """OpenAI strict mode: object root, closed objects, every property required, no unsupported keywords."""
    schema = tool.get("inputSchema")
    if not isinstance(schema, dict):
        return []
    problems = []
    if schema.get("type") != "object" or "anyOf" in schema:
        problems.append("the root is not a plain object schema")
    for path, node in subschemas(schema):
        if not isinstance(node, dict):
            continue
        where = "inputSchema" + path[1:]
        props = node.get("properties")
        if node.get("type") == "object" or isinstance(props, dict):
            if node.get("additionalProperties") is not False:
                problems.append(f"{where} lacks additionalProperties: false")
            missing = sorted(set(props or {}) - set(node.get("required") or []))
            if missing:
                problems.append(f"{where} leaves {', '.join(missing[:SHOWN])} optional")
        problems += [f"{where} uses {key}" for key in OPENAI_UNSUPPORTED if key in node]
    if not problems:
        return []
    return [
        info(
            "DIALECT-07",
            f"tool {tool.get('name')!r}: inputSchema is not accepted by OpenAI strict mode as is "
            f"(a client must send it non-strict or rewrite it): {'; '.join(problems[:SHOWN])}"
            + (f"; and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""),
            _affected(tool.get("name"), "; ".join(problems[:2])),
        )
    ]


@check("DIALECT-08")
def openai_limits(tool: dict[str, Any]) -> list[Finding]:
    """OpenAI structured-output limits: 10 levels of object nesting, 5000 properties, 1000 enum values."""
    schema = tool.get("inputSchema")
    if not isinstance(schema, dict):
        return []
    nodes = [(p, n) for p, n in subschemas(schema) if isinstance(n, dict)]
    depth = max((_object_depth(p) + (n.get("type") == "object") for p, n in nodes), default=0)
    properties = sum(len(n["properties"]) for _, n in nodes if isinstance(n.get("properties"), dict))
    enums = sum(len(n["enum"]) for _, n in nodes if isinstance(n.get("enum"), list))
    over = []
    if depth > OPENAI_MAX_DEPTH:
        over.append(f"{depth} levels of object nesting (at most {OPENAI_MAX_DEPTH})")
    if properties > OPENAI_MAX_PROPERTIES:
        over.append(f"{properties} properties (at most {OPENAI_MAX_PROPERTIES})")
    if enums > OPENAI_MAX_ENUM_VALUES:
        over.append(f"{enums} enum values (at most {OPENAI_MAX_ENUM_VALUES})")
    if not over:
        return []
    return [
        info(
            "DIALECT-08",
            f"tool {tool.get('name')!r}: inputSchema exceeds OpenAI's structured-output limits: "
            f"{', '.join(over)}",
            _affected(tool.get("name"), ", ".join(over)),
        )
    ]


def _object_depth(path: str) -> int:
    """How many object levels lie above the node at `path` (each `properties/NAME` step is one)."""
    return path.count("/properties/")
