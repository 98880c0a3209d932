"""Prompt checks (PROMPT-*): pure functions over prompts/list items and prompts/get exchanges."""

from __future__ import annotations

from typing import Any

from harness.checks.jsonrpc import expect_error
from harness.checks.registry import check
from harness.checks.resources import base64_problem, input_required
from harness.findings import Finding, fail, info
from harness.protocol.exchange import Exchange
from harness.protocol.versions import V3, version_index

ROLES = ("user", "assistant")


@check("PROMPT-01")
def prompt_list(exchange: Exchange, prompts: list[Any]) -> list[Finding]:
    """PROMPT-01: prompts/list answers `prompts[]`; each prompt has a string `name`,
    and `arguments`, when present, is a list of {name: string, description?: string,
    required?: boolean}."""
    if not exchange.ok:
        return [fail("PROMPT-01", "prompts/list failed although prompts is declared", exchange.response)]
    if not isinstance((exchange.result or {}).get("prompts"), list):
        return [fail("PROMPT-01", "prompts/list result has no prompts array", exchange.response)]
    findings: list[Finding] = []
    for index, prompt in enumerate(prompts):
        if not isinstance(prompt, dict):
            findings.append(fail("PROMPT-01", f"prompts[{index}] is not an object", prompt))
            continue
        if not isinstance(prompt.get("name"), str):
            findings.append(fail("PROMPT-01", f"prompts[{index}] has no string name", prompt))
        label = prompt.get("name", f"prompts[{index}]")
        arguments = prompt.get("arguments")
        if arguments is None:
            continue
        if not isinstance(arguments, list):
            findings.append(fail("PROMPT-01", f"prompt {label!r}: arguments is not a list", prompt))
            continue
        for position, argument in enumerate(arguments):
            findings.extend(_argument(label, position, argument, prompt))
    return findings


def _argument(label: str, position: int, argument: Any, prompt: dict[str, Any]) -> list[Finding]:
    where = f"prompt {label!r} arguments[{position}]"
    if not isinstance(argument, dict):
        return [fail("PROMPT-01", f"{where} is not an object", prompt)]
    findings = []
    if not isinstance(argument.get("name"), str):
        findings.append(fail("PROMPT-01", f"{where} has no string name", prompt))
    if "description" in argument and not isinstance(argument["description"], str):
        findings.append(fail("PROMPT-01", f"{where} description is not a string", prompt))
    if "required" in argument and not isinstance(argument["required"], bool):
        findings.append(
            fail("PROMPT-01", f"{where} required is {argument['required']!r}, not a boolean", prompt)
        )
    return findings


def required_arguments(prompt: dict[str, Any]) -> list[str]:
    """Names of the arguments a prompt marks `required: true`."""
    arguments = prompt.get("arguments")
    if not isinstance(arguments, list):
        return []
    return [
        a["name"]
        for a in arguments
        if isinstance(a, dict) and a.get("required") is True and isinstance(a.get("name"), str)
    ]


@check("PROMPT-02")
def get_result(exchange: Exchange, name: str, version: str) -> list[Finding]:
    """PROMPT-02: a successful prompts/get has `messages[]`; each message has role
    user|assistant and one content block: text with a string `text`, image/audio
    with base64 `data` and a `mimeType`, an embedded resource with a `uri` and
    exactly one of text/base64 blob, a resource_link (2025-06-18+) with uri and name.

    A prompts/get that fails (our argument values are guesses) is only INFO.
    """
    if not exchange.ok:
        error = exchange.error or {}
        return [
            info("PROMPT-02", f"prompts/get {name!r} failed ({error.get('code')}: {error.get('message')})")
        ]
    if input_required(exchange):
        return [info("PROMPT-02", f"prompts/get {name!r} asked for input (input_required)")]
    messages = (exchange.result or {}).get("messages")
    if not isinstance(messages, list):
        return [fail("PROMPT-02", f"prompts/get {name!r}: result has no messages array", exchange.response)]
    findings: list[Finding] = []
    for index, message in enumerate(messages):
        where = f"prompts/get {name!r} messages[{index}]"
        if not isinstance(message, dict):
            findings.append(fail("PROMPT-02", f"{where} is not an object", exchange.response))
            continue
        if message.get("role") not in ROLES:
            findings.append(
                fail("PROMPT-02", f"{where} role is {message.get('role')!r}, not user or assistant", message)
            )
        findings.extend(content_block(message.get("content"), where, version))
    return findings


@check("PROMPT-02")
def content_block(block: Any, where: str, version: str) -> list[Finding]:
    """PROMPT-02: one well-formed content block."""
    if not isinstance(block, dict):
        return [fail("PROMPT-02", f"{where} content is not one content block object: {str(block)[:80]}")]
    kind = block.get("type")
    if kind == "text":
        if not isinstance(block.get("text"), str):
            return [fail("PROMPT-02", f"{where} text content has no string text", block)]
    elif kind in ("image", "audio"):
        found = []
        if problem := base64_problem(block.get("data")):
            found.append(fail("PROMPT-02", f"{where} {kind} data {problem}", {"type": kind}))
        if not isinstance(block.get("mimeType"), str):
            found.append(fail("PROMPT-02", f"{where} {kind} content has no mimeType", {"type": kind}))
        return found
    elif kind == "resource":
        resource = block.get("resource")
        if not isinstance(resource, dict) or not isinstance(resource.get("uri"), str):
            return [fail("PROMPT-02", f"{where} embedded resource has no uri", block)]
        if ("text" in resource) == ("blob" in resource):
            return [fail("PROMPT-02", f"{where} embedded resource needs exactly one of text or blob", block)]
        if "blob" in resource and (problem := base64_problem(resource["blob"])):
            return [fail("PROMPT-02", f"{where} embedded resource blob {problem}", {"uri": resource["uri"]})]
    elif kind == "resource_link" and version_index(version) >= version_index(V3):
        if not (isinstance(block.get("uri"), str) and isinstance(block.get("name"), str)):
            return [fail("PROMPT-02", f"{where} resource_link needs uri and name", block)]
    else:
        return [
            fail(
                "PROMPT-02", f"{where} content type {kind!r} is not a prompt content type at {version}", block
            )
        ]
    return []


@check("PROMPT-03")
def invalid_get(exchange: Exchange, what: str) -> list[Finding]:
    """PROMPT-03 (SHOULD): an unknown prompt, or a missing required argument, gets -32602.

    A success or another code is WARN. On 2026-07-28 asking for the missing
    value (input_required) is a fair answer too.
    """
    if input_required(exchange):
        return [info("PROMPT-03", f"{what}: the server asked for input (input_required)")]
    return expect_error("PROMPT-03", exchange, -32602, what, no_error_severity="warn")


@check("PROMPT-02")
def gets_sampled(listed: int, limit: int) -> list[Finding]:
    """PROMPT-02 (INFO): a server with more than `limit` prompts is sampled,
    and the report says so."""
    if listed <= limit:
        return []
    return [info("PROMPT-02", f"{listed} prompts listed; got the first {limit}")]
