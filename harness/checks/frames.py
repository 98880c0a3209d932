"""Checks every frame the server sent, whatever test caused it.

Run after each test over the frames that arrived during it: envelope shape,
the official schema type for the answered method, and the rules about what a
server may send unasked (capabilities, ids of its own requests, V5's ban on
server requests).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from harness.checks.grading import capped
from harness.checks.jsonrpc import envelope
from harness.checks.meta import meta_keys
from harness.findings import Finding, fail, warn
from harness.protocol.exchange import Received
from harness.protocol.versions import V1, V2

# Which rule a schema failure belongs to, by the method answered.
SCHEMA_RULE_BY_METHOD = {
    "initialize": "LIFE-01",
    "server/discover": "VER-03",
    "tools/list": "TOOL-01",
    "tools/call": "TOOL-07",
    "resources/list": "RES-01",
    "resources/templates/list": "RES-01",
    "resources/read": "RES-02",
    "prompts/list": "PROMPT-01",
    "prompts/get": "PROMPT-02",
    "completion/complete": "COMP-02",
    "ping": "PING-01",
    "logging/setLevel": "LOG-01",
    "resources/subscribe": "RES-05",
    "resources/unsubscribe": "RES-05",
}
SCHEMA_RULE_BY_NOTIFICATION = {
    "notifications/message": "LOG-02",
    "notifications/progress": "PROG-01",
}
# The only methods whose V5 result may be input_required (RPC-13).
INPUT_REQUIRED_METHODS = ("tools/call", "resources/read", "prompts/get")
# Fields whose absence has a rule of its own; a schema error about them is
# reported under that rule only, so one slip gives one rule.
FIELD_RULES = {
    "resultType": "RPC-13",
    "ttlMs": "CACHE-01",
    "cacheScope": "CACHE-01",
    "/result/nextCursor": "PAGE-01",
}
# Parts of a result that have a rule of their own, by JSON-pointer prefix (checked before FIELD_RULES).
PATH_RULES = (
    (re.compile(r"^/result/(resources|resourceTemplates)/\d+/annotations(/|$)"), "RES-07"),
    (re.compile(r"^/result/tools/\d+/annotations(/|$)"), "TOOL-08"),
)
MEDIA_BLOCK = re.compile(r"^/result/content/(\d+)(/|$)")

LIST_CHANGED = {
    "notifications/tools/list_changed": "tools",
    "notifications/resources/list_changed": "resources",
    "notifications/prompts/list_changed": "prompts",
}
CLIENT_CAPABILITY_FOR_REQUEST = {
    "sampling/createMessage": "sampling",
    "roots/list": "roots",
    "elicitation/create": "elicitation",
}


def check_frames(
    frames: Iterable[Received],
    *,
    version: str | None,
    era: str,
    client_capabilities: dict[str, Any],
    server_capabilities: dict[str, Any],
    seen_server_request_ids: set[str] | None = None,
) -> list[Finding]:
    """All per-frame findings for `frames`, in order."""
    schema = _schema_module()

    findings: list[Finding] = []
    seen_ids = seen_server_request_ids if seen_server_request_ids is not None else set()
    for frame in frames:
        message = frame.message
        found = envelope(message)
        findings.extend(found)
        if not found and version not in (None, V1, V2):  # RPC-14 applies from 2025-06-18
            findings.extend(meta_keys([message]))
        if found or not isinstance(message, dict) or version is None:
            continue
        if "method" in message and "id" in message:
            findings.extend(_server_request(message, era, client_capabilities, seen_ids))
            errors = [e for e in schema.validate_server_request(version, message) if not _about_id(e)]
            findings.extend(_schema("RPC-01", errors, message))  # a bad id is RPC-06's, judged above
        elif "method" in message:
            findings.extend(_notification(message, server_capabilities, version))
            rule = SCHEMA_RULE_BY_NOTIFICATION.get(message["method"], "RPC-01")
            findings.extend(_schema(rule, schema.validate_notification(version, message), message))
        elif frame.answers is not None:
            if _is_parse_error_reply(message):
                continue  # id null is allowed there (RPC-08 note): no schema check
            if frame.http is not None and frame.http.status >= 400 and message.get("id") is None:
                continue  # an HTTP refusal's body answers its POST; HTTP-* checks judge it
            rule = "RPC-04" if "error" in message else SCHEMA_RULE_BY_METHOD.get(frame.answers, "RPC-01")
            errors = schema.validate_response(version, frame.answers, message)
            findings.extend(_schema(rule, errors, message, method=frame.answers))
            if era == "modern" and "result" in message and isinstance(message["result"], dict):
                findings.extend(_result_type(frame.answers, message))
    return findings


@functools.cache
def _schema_module() -> Any:
    """harness.schema, imported on first use (heavy: loads the bundled schemas once).

    Cached because an import statement in the per-frame path costs more than
    the envelope check itself.
    """
    from harness import schema

    return schema


def _schema(
    rule: str, errors: list[Any], message: dict[str, Any], method: str | None = None
) -> list[Finding]:
    findings = []
    for error in errors:
        text = f"{error.path or '/'}: {error.message}"
        target = next((r for pattern, r in PATH_RULES if pattern.match(error.path or "")), None)
        target = target or _media_rule(method, message, error.path, text)
        target = target or next((r for f, r in FIELD_RULES.items() if f in text), rule)
        if target != rule and target in ("RPC-13",):
            continue  # reported by _result_type with a clearer message
        findings.append(fail(target, f"schema ({error.definition}) {text}", message))
    return _dedupe(findings)


def _media_rule(method: str | None, message: dict[str, Any], path: str, text: str) -> str | None:
    """TOOL-12 owns schema errors about the data/mimeType of image and audio blocks."""
    match = MEDIA_BLOCK.match(path or "") if method == "tools/call" else None
    if match is None:
        return None
    content = (message.get("result") or {}).get("content")
    index = int(match.group(1))
    block = content[index] if isinstance(content, list) and index < len(content) else None
    about_media = any(key in text for key in ("/data", "/mimeType", "'data'", "'mimeType'"))
    return (
        "TOOL-12"
        if isinstance(block, dict) and block.get("type") in ("image", "audio") and about_media
        else None
    )


def _result_type(method: str, message: dict[str, Any]) -> list[Finding]:
    """RPC-13: every V5 result has resultType; input_required only for three methods."""
    result = message["result"]
    kind = result.get("resultType")
    if kind is None:
        return [fail("RPC-13", f"{method} result has no resultType", message)]
    if kind == "input_required" and method not in INPUT_REQUIRED_METHODS:
        return [fail("RPC-13", f"{method} returned resultType input_required", message)]
    if kind not in ("complete", "input_required"):
        return [fail("RPC-13", f"unknown resultType {kind!r}", message)]
    return []


def _notification(
    message: dict[str, Any], server_caps: dict[str, Any], version: str | None = None
) -> list[Finding]:
    method = message.get("method")
    family = LIST_CHANGED.get(method or "")
    if family is not None:
        declared = server_caps.get(family)
        if not (isinstance(declared, dict) and declared.get("listChanged") is True):
            text = f"{method} sent without {family}.listChanged declared"
            return [capped(fail("CAP-02", text, message), version)]  # SHOULD before 2025-06-18
    if method == "notifications/message" and "logging" not in server_caps:
        return [fail("CAP-04", "notifications/message sent without the logging capability", message)]
    if method == "notifications/resources/updated":
        resources = server_caps.get("resources")
        if not (isinstance(resources, dict) and resources.get("subscribe")):
            return [warn("CAP-02", "resources/updated sent without resources.subscribe declared", message)]
    return []


def _server_request(
    message: dict[str, Any], era: str, client_caps: dict[str, Any], seen: set[str]
) -> list[Finding]:
    findings: list[Finding] = []
    method = message.get("method")
    if era == "modern":
        return [fail("VER-07", f"server sent a JSON-RPC request ({method}) in the stateless era", message)]
    request_id = message.get("id")
    key = repr((type(request_id).__name__, request_id))
    if request_id is None or isinstance(request_id, (bool, float, dict, list)):
        findings.append(
            fail("RPC-06", f"server request id {request_id!r} is not a string or integer", message)
        )
    elif key in seen:
        findings.append(
            fail("RPC-06", f"server request id {request_id!r} used twice in one session", message)
        )
    seen.add(key)
    needed = CLIENT_CAPABILITY_FOR_REQUEST.get(method or "")
    if needed and needed not in client_caps:
        findings.append(
            fail("CAP-03", f"server sent {method} though the client did not declare {needed}", message)
        )
    return findings


def _is_parse_error_reply(message: dict[str, Any]) -> bool:
    error = message.get("error")
    return isinstance(error, dict) and error.get("code") in (-32700, -32600) and message.get("id") is None


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for finding in findings:
        key = (finding.rule, finding.message)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


def _about_id(error: Any) -> bool:
    return str(error.path or "").rstrip("/") in ("/id", "id")
