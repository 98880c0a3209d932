"""Tool checks (TOOL-*): pure functions over listed tools and call exchanges.

Each check says in its docstring what it verifies; none does I/O. Suites
(`suites/test_tools.py`) list the tools, make the calls and hand the pieces in.
Severities follow spec-rules.md: MUST -> fail, SHOULD and derived -> warn,
MAY -> info, with the version-dependent expectations (TOOL-03, TOOL-06) taken
from the negotiated version.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import Counter
from typing import Any

from harness.checks.grading import capped
from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.property.examples import SCHEMA_UNUSABLE, schema_errors
from harness.protocol.exchange import Exchange, NoResponse
from harness.protocol.versions import V3, V4, V5, version_index
from harness.schema import UNSUPPORTED_DIALECT, check_tool_schema

TOOL_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
HTTP_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 token
HEADER_TYPES = {"string", "integer", "boolean"}


def at_least(version: str, floor: str) -> bool:
    return version_index(version) >= version_index(floor)


def tool_label(tool: Any) -> str:
    name = tool.get("name") if isinstance(tool, dict) else None
    return repr(name) if isinstance(name, str) else "(unnamed tool)"


def is_call_result(exchange: Exchange) -> bool:
    """A final CallToolResult (not an error, not a V5 input_required step)."""
    result = exchange.result
    return exchange.ok and isinstance(result, dict) and result.get("resultType") != "input_required"


def is_success(exchange: Exchange) -> bool:
    return is_call_result(exchange) and exchange.result.get("isError") is not True


# --------------------------------------------------------------------------- listing


@check("TOOL-01")
def tool_list_shape(tools: list[Any], listing: Exchange) -> list[Finding]:
    """TOOL-01: every listed tool is an object with a string `name` and an
    `inputSchema` object whose `type` is "object"."""
    findings: list[Finding] = []
    if not isinstance((listing.result or {}).get("tools"), list):
        return [fail("TOOL-01", "tools/list result has no `tools` array", listing.response)]
    for tool in tools:
        if not isinstance(tool, dict):
            findings.append(
                fail("TOOL-01", f"a listed tool is not an object: {tool!r:.80}", listing.response)
            )
            continue
        label = tool_label(tool)
        if not isinstance(tool.get("name"), str):
            findings.append(fail("TOOL-01", f"tool {label} has no string `name`", tool))
        schema = tool.get("inputSchema")
        if not isinstance(schema, dict):
            findings.append(fail("TOOL-01", f"tool {label} has no inputSchema object", tool))
        elif schema.get("type") != "object":
            findings.append(
                fail(
                    "TOOL-01",
                    f'tool {label}: inputSchema type is {schema.get("type")!r}, must be "object"',
                    tool,
                )
            )
    return findings


@check("TOOL-02")
def tool_schemas_valid(tool: dict[str, Any], version: str) -> list[Finding]:
    """TOOL-02: `inputSchema` and `outputSchema` are valid JSON Schemas.

    From 2025-11-25 a schema without `$schema` is 2020-12 and an invalid one
    FAILs; before that no dialect was stated, so draft-07 or 2020-12 is
    accepted and a schema no dialect accepts is a WARN. That per-version level
    is the catalogue's (TOOL-02 is SHOULD up to 2025-06-18), so an invalid
    schema is written as a fail and `capped` lowers it. A dialect the harness
    does not know is reported as not verified (INFO)."""
    findings: list[Finding] = []
    for key in ("inputSchema", "outputSchema"):
        if key not in tool:
            continue
        schema = tool[key]
        if key == "inputSchema" and not isinstance(schema, dict):
            continue  # TOOL-01 reports a missing or non-object inputSchema
        if schema is None:
            findings.append(capped(fail("TOOL-02", f"tool {tool_label(tool)}: {key} is null", tool), version))
            continue
        problems = check_tool_schema(schema, version)
        if problems and problems[0].startswith(UNSUPPORTED_DIALECT):
            findings.append(
                info("TOOL-02", f"tool {tool_label(tool)}: {key} not verified ({problems[0]})", tool)
            )
        elif problems:
            text = f"tool {tool_label(tool)}: {key} is not a valid JSON Schema: {problems[0]}"
            findings.append(capped(fail("TOOL-02", text, tool), version))
    return findings


@check("TOOL-03")
def output_schema_type(tool: dict[str, Any], version: str) -> list[Finding]:
    """TOOL-03 (2025-06-18 and 2025-11-25): an `outputSchema` must have
    `type: "object"`; from 2026-07-28 any schema is allowed."""
    schema = tool.get("outputSchema")
    if not isinstance(schema, dict) or at_least(version, V5) or not at_least(version, V3):
        return []
    if schema.get("type") != "object":
        return [
            fail(
                "TOOL-03",
                f"tool {tool_label(tool)}: outputSchema type is {schema.get('type')!r}, "
                f'must be "object" before {V5}',
                tool,
            )
        ]
    return []


@check("TOOL-08")
def annotation_types(tool: dict[str, Any]) -> list[Finding]:
    """TOOL-08: `annotations` is an object whose hints are booleans and whose
    `title` is a string; contradictory hints (read-only yet destructive or
    idempotent-flagged) are only INFO, since hints are untrusted."""
    annotations = tool.get("annotations")
    if annotations is None and "annotations" not in tool:
        return []
    label = tool_label(tool)
    if not isinstance(annotations, dict):
        return [fail("TOOL-08", f"tool {label}: annotations is not an object: {annotations!r:.60}", tool)]
    findings: list[Finding] = []
    for hint in HINTS:
        if hint in annotations and not isinstance(annotations[hint], bool):
            findings.append(
                fail(
                    "TOOL-08",
                    f"tool {label}: annotations.{hint} is {annotations[hint]!r}, not a boolean",
                    tool,
                )
            )
    if "title" in annotations and not isinstance(annotations["title"], str):
        findings.append(fail("TOOL-08", f"tool {label}: annotations.title is not a string", tool))
    if annotations.get("readOnlyHint") is True and annotations.get("destructiveHint") is True:
        findings.append(
            info(
                "TOOL-08",
                f"tool {label}: readOnlyHint and destructiveHint are both true "
                "(destructiveHint only matters when readOnlyHint is false)",
                tool,
            )
        )
    return findings


def distinct_listing(pages: list[list[Any]]) -> list[Any]:
    """The items of a paginated listing without the repeats pagination slips make
    (a page served again by a cursor loop, or a page that repeats the previous
    page's last item): those are PAGE-01's, not a tool listed twice."""
    items: list[Any] = []
    seen_pages: list[str] = []
    for page in pages:
        marker = json.dumps(page, sort_keys=True)
        if page and marker in seen_pages:
            continue
        seen_pages.append(marker)
        if items and page and json.dumps(page[0], sort_keys=True) == json.dumps(items[-1], sort_keys=True):
            page = page[1:]
        items.extend(page)
    return items


@check("TOOL-09")
def tool_names(tools: list[Any]) -> list[Finding]:
    """TOOL-09 (SHOULD, 2025-11-25+): names are 1-128 characters of
    [A-Za-z0-9_.-] and unique within the server."""
    names = [t.get("name") for t in tools if isinstance(t, dict) and isinstance(t.get("name"), str)]
    findings = [
        warn("TOOL-09", f"tool name {name!r} is not 1-128 characters of A-Z a-z 0-9 _ . -")
        for name in dict.fromkeys(names)
        if not TOOL_NAME.match(name)
    ]
    for name, count in Counter(names).items():
        if count > 1:
            findings.append(warn("TOOL-09", f"tool name {name!r} is listed {count} times"))
    return findings


@check("TOOL-15")
def header_annotations(tool: dict[str, Any]) -> list[Finding]:
    """TOOL-15 (2026-07-28): every `x-mcp-header` value is a non-empty HTTP
    token, unique ignoring case within the tool, and sits only on a
    primitive-typed property (string, integer, boolean; not number) reached
    from the root through `properties` alone."""
    schema = tool.get("inputSchema")
    if not isinstance(schema, dict):
        return []
    label = tool_label(tool)
    findings: list[Finding] = []
    allowed: set[int] = set()
    stack: list[Any] = [schema]
    while stack:  # the positions reached through `properties` only
        node = stack.pop()
        props = node.get("properties") if isinstance(node, dict) else None
        if isinstance(props, dict):
            for child in props.values():
                if isinstance(child, dict):
                    allowed.add(id(child))
                    stack.append(child)
    seen: dict[str, str] = {}
    for path, node in _schema_nodes(schema):
        if "x-mcp-header" not in node:
            continue
        value = node["x-mcp-header"]
        where = f"tool {label}: x-mcp-header at {path or '/'}"
        if not isinstance(value, str) or not value or not HTTP_TOKEN.match(value):
            findings.append(fail("TOOL-15", f"{where} is {value!r}, not a non-empty HTTP token", tool))
        elif value.lower() in seen:
            findings.append(
                fail(
                    "TOOL-15",
                    f"{where}: {value!r} repeats {seen[value.lower()]!r} (names are compared ignoring case)",
                    tool,
                )
            )
        else:
            seen[value.lower()] = value
        if id(node) not in allowed:
            findings.append(
                fail("TOOL-15", f"{where} is not on a property reached through `properties` alone", tool)
            )
            continue
        kinds = node.get("type")
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(kinds, list) or not kinds:
            findings.append(
                info(
                    "TOOL-15",
                    f"{where}: the property has no `type`, so it cannot be shown to be primitive",
                    tool,
                )
            )
            continue
        bad = [k for k in kinds if k not in HEADER_TYPES and k != "null"]
        if bad:
            findings.append(
                fail(
                    "TOOL-15",
                    f"{where} sits on a property of type {bad[0]!r} "
                    "(only string, integer or boolean may carry it)",
                    tool,
                )
            )
    return findings


def _schema_nodes(schema: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every object in a schema with its JSON pointer, iteratively."""
    out: list[tuple[str, dict[str, Any]]] = []
    stack: list[tuple[str, Any]] = [("", schema)]
    while stack and len(out) < 10_000:
        path, node = stack.pop()
        if isinstance(node, dict):
            out.append((path, node))
            stack.extend((f"{path}/{key}", child) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((f"{path}/{index}", child) for index, child in enumerate(node))
    return out


@check("TOOL-11")
def list_stable(before: list[Any], after: list[Any], what: str, method: str) -> list[Finding]:
    """TOOL-11 (2026-07-28): a list result does not change because of earlier
    calls (MUST NOT -> fail); the order SHOULD be deterministic (warn)."""

    def key(item: Any) -> str:
        return json.dumps(item, sort_keys=True)

    if sorted(map(key, before)) != sorted(map(key, after)):
        added = [
            i.get("name", i.get("uri")) if isinstance(i, dict) else i
            for i in after
            if key(i) not in set(map(key, before))
        ]
        removed = [
            i.get("name", i.get("uri")) if isinstance(i, dict) else i
            for i in before
            if key(i) not in set(map(key, after))
        ]
        return [fail("TOOL-11", f"{method} changed after {what}: added {added[:5]}, removed {removed[:5]}")]
    if list(map(key, before)) != list(map(key, after)):
        return [warn("TOOL-11", f"{method} returned the same items in another order after {what}")]
    return []


# --------------------------------------------------------------------------- calls


@check("TOOL-03")
def structured_content(tool: dict[str, Any], exchange: Exchange, version: str) -> list[Finding]:
    """TOOL-03: when a tool declares `outputSchema`, each successful result
    carries `structuredContent` that validates against it; before 2026-07-28
    it must also be an object."""
    schema = tool.get("outputSchema")
    if not isinstance(schema, (dict, bool)) or not is_success(exchange) or not at_least(version, V3):
        return []
    result = exchange.result
    label = tool_label(tool)
    if "structuredContent" not in result:
        return [
            fail(
                "TOOL-03",
                f"tool {label} declares outputSchema but its result has no structuredContent",
                exchange.response,
            )
        ]
    value = result["structuredContent"]
    if not at_least(version, V5) and not isinstance(value, dict):
        return [
            fail(
                "TOOL-03",
                f"tool {label}: structuredContent is {type(value).__name__}, must be an object before {V5}",
                exchange.response,
            )
        ]
    problems = schema_errors(schema, value)
    if problems and problems[0].startswith(SCHEMA_UNUSABLE):
        return [info("TOOL-03", f"tool {label}: structuredContent not checked, {problems[0]}")]  # TOOL-02's
    if problems:
        return [
            fail(
                "TOOL-03",
                f"tool {label}: structuredContent does not match outputSchema: {problems[0]}",
                exchange.response,
            )
        ]
    return []


@check("TOOL-04")
def text_copy(tool: dict[str, Any], exchange: Exchange) -> list[Finding]:
    """TOOL-04 (SHOULD): a result with `structuredContent` also carries the
    same JSON serialised in a text content block."""
    if not is_call_result(exchange) or "structuredContent" not in exchange.result:
        return []
    wanted = exchange.result["structuredContent"]
    for block in exchange.result.get("content") or []:
        if isinstance(block, dict) and block.get("type") == "text" and isinstance(block.get("text"), str):
            try:
                if json.loads(block["text"]) == wanted:
                    return []
            except ValueError:
                continue
    return [
        warn(
            "TOOL-04",
            f"tool {tool_label(tool)}: no text block holds structuredContent as JSON",
            exchange.response,
        )
    ]


@check("TOOL-05")
def unknown_tool(exchange: Exchange, name: str) -> list[Finding]:
    """TOOL-05: an unknown tool name gets a JSON-RPC error (MUST), with code
    -32602 (SHOULD), never a result."""
    if exchange.response is None:
        return [fail("TOOL-05", f"tools/call {name!r}: no JSON-RPC response ({exchange.failure})")]
    if exchange.error is None:
        return [
            fail(
                "TOOL-05",
                f"tools/call of unknown tool {name!r} was answered with a result, not a JSON-RPC error",
                exchange.response,
            )
        ]
    if exchange.code != -32602:
        return [
            warn(
                "TOOL-05",
                f"unknown tool {name!r}: error code {exchange.code!r}, expected -32602",
                exchange.response,
            )
        ]
    return []


@check("TOOL-06")
def invalid_arguments_answer(
    tool: dict[str, Any], exchange: Exchange, label: str, version: str
) -> list[Finding]:
    """TOOL-06: arguments that fail the inputSchema are refused, as a JSON-RPC
    error or an `isError` result; a success FAILs at every version.

    2025-11-25 (SEP-1303) asks for input-validation errors as `isError`
    results, so a JSON-RPC error there is a WARN; 2024-11-05 to 2025-06-18
    list them as protocol errors (-32602) and 2026-07-28 shows both forms."""
    where = f"tool {tool_label(tool)} with {label}"
    if exchange.response is None:
        return [fail("TOOL-06", f"{where}: no JSON-RPC response ({exchange.failure})")]
    if is_success(exchange):
        return [
            fail(
                "TOOL-06",
                f"{where}: the call succeeded although the arguments break the inputSchema",
                exchange.request,
                exchange.response,
            )
        ]
    if exchange.error is not None and version == V4:
        return [
            warn(
                "TOOL-06",
                f"{where}: input-validation failure sent as JSON-RPC error {exchange.code!r}; "
                f"{V4} asks for an isError result (SEP-1303)",
                exchange.response,
            )
        ]
    if exchange.error is not None and exchange.code != -32602:
        return [
            info(
                "TOOL-06",
                f"{where}: refused with error code {exchange.code!r} (-32602 is usual)",
                exchange.response,
            )
        ]
    return []


@check("TOOL-07")
def error_result_shape(tool: dict[str, Any], exchange: Exchange) -> list[Finding]:
    """TOOL-07: a tool-execution error is a result with `isError: true` and a
    `content` array."""
    if not is_call_result(exchange) or exchange.result.get("isError") is not True:
        return []
    if not isinstance(exchange.result.get("content"), list):
        return [
            fail(
                "TOOL-07",
                f"tool {tool_label(tool)}: isError result has no `content` array",
                exchange.response,
            )
        ]
    return []


@check("TOOL-14")
def hostile_answer(tool: dict[str, Any], exchange: Exchange, label: str, valid: bool) -> list[Finding]:
    """TOOL-14: hostile arguments that break the inputSchema get a clean
    refusal (JSON-RPC error or isError result), never a success; arguments the
    schema allows only need an answer."""
    where = f"tool {tool_label(tool)} with {label}"
    if exchange.response is None:
        return [fail("TOOL-14", f"{where}: no JSON-RPC response ({exchange.failure})")]
    if not valid and is_success(exchange):
        return [
            fail(
                "TOOL-14",
                f"{where}: accepted although the inputSchema forbids it",
                trim(exchange.request),
                exchange.response,
            )
        ]
    return []


@check("TOOL-12")
def content_blocks(tool: dict[str, Any], exchange: Exchange, version: str) -> list[Finding]:
    """TOOL-12: image and audio blocks carry base64 `data` and a `mimeType`;
    `resource_link` blocks (2025-06-18+) carry `uri` and `name`."""
    if not is_call_result(exchange):
        return []
    findings: list[Finding] = []
    label = tool_label(tool)
    for index, block in enumerate(exchange.result.get("content") or []):
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        where = f"tool {label}: content[{index}] ({kind})"
        if kind in ("image", "audio"):
            data = block.get("data")
            if not isinstance(data, str) or not _is_base64(data):
                findings.append(fail("TOOL-12", f"{where}: data is not valid base64", exchange.response))
            mime = block.get("mimeType")
            if not isinstance(mime, str) or not mime:
                findings.append(fail("TOOL-12", f"{where}: no mimeType", exchange.response))
        elif kind == "resource_link" and at_least(version, V3):
            for key in ("uri", "name"):
                if not isinstance(block.get(key), str):
                    findings.append(fail("TOOL-12", f"{where}: no string {key}", exchange.response))
    return findings


@check("TOOL-13")
def embedded_resources(
    tool: dict[str, Any], exchange: Exchange, capabilities: dict[str, Any]
) -> list[Finding]:
    """TOOL-13 (SHOULD, 2025-06-18+): a server that returns embedded `resource`
    blocks declares the `resources` capability."""
    if not is_call_result(exchange) or "resources" in capabilities:
        return []
    if any(isinstance(b, dict) and b.get("type") == "resource" for b in exchange.result.get("content") or []):
        return [
            warn(
                "TOOL-13",
                f"tool {tool_label(tool)} returned an embedded resource, but the server "
                "does not declare the resources capability",
                exchange.response,
            )
        ]
    return []


def _is_base64(data: str) -> bool:
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def trim(message: dict[str, Any]) -> dict[str, Any]:
    """Evidence without a megabyte of fuzz: long strings and deep values are cut."""
    text = json.dumps(message, default=str)
    return message if len(text) < 2000 else {"truncated": text[:2000]}


@check("TOOL-14")
def hostile_killed(what: str) -> list[Finding]:
    """TOOL-14: hostile arguments must be refused, not crash the server
    (LIVE-02 reports the death itself)."""
    return [fail("TOOL-14", f"the server died on {what}")]


@check("TOOL-14")
def hostile_unanswered(what: str, silence: NoResponse) -> list[Finding]:
    """TOOL-14: hostile arguments got neither an error nor a result.

    A drop (the server answered a ping sent after the request) is TOOL-14 alone:
    the server is alive, it ignored what it should have refused. A hang (the
    ping went unanswered too) is also LIVE-01, reported with the request.
    """
    found = [fail("TOOL-14", f"{what}: no error and no result, the request went unanswered")]
    if silence.dropped is None:
        found.append(fail("LIVE-01", str(silence), trim(silence.exchange.request)))
    return found


def not_called(rule: str, name: str, why: Any) -> list[Finding]:
    """INFO under `rule`: a tool that could not be given valid example
    arguments was not called, so the rule was not checked on it."""
    return [info(rule, f"tool {name!r} not called: {why}")]
