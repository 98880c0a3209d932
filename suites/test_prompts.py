"""Prompts (PROMPT-*), on any server that declares `prompts`.

The prompts are discovered from the server (every page of prompts/list).
prompts/get is a read: no side effects are expected from it.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import prompts as checks
from harness.protocol.session import Session
from harness.protocol.versions import V3
from suites._support import all_items, walk

pytestmark = pytest.mark.requires_capability("prompts")

SAMPLE_VALUE = "mcp-harness"
UNKNOWN_PROMPT = "__mcp_harness_no_such_prompt__"
MAX_GETS = 100


def _arguments(session: Session, prompt: dict[str, Any]) -> dict[str, str]:
    """Values for the required arguments: the server's first completion when it offers one."""
    values = dict.fromkeys(checks.required_arguments(prompt), SAMPLE_VALUE)
    if "completions" not in session.state.capabilities:
        return values
    chosen: dict[str, str] = {}
    for name in values:
        params: dict[str, Any] = {
            "ref": {"type": "ref/prompt", "name": prompt["name"]},
            "argument": {"name": name, "value": ""},
        }
        if chosen and session.version and session.version >= V3:  # context.arguments is 2025-06-18+
            params["context"] = {"arguments": dict(chosen)}
        exchange = session.request("completion/complete", params)
        completion = (exchange.result or {}).get("completion") if exchange.ok else None
        offered = completion.get("values") if isinstance(completion, dict) else None
        if isinstance(offered, list) and offered and isinstance(offered[0], str):
            values[name] = chosen[name] = offered[0]
    return values


def _prompts(session: Session) -> list[dict[str, Any]]:
    return [
        p
        for p in all_items(session, "prompts/list")
        if isinstance(p, dict) and isinstance(p.get("name"), str)
    ]


@pytest.mark.rule("PROMPT-01")
def test_prompt01_list_shape(mcp_session, verdict):
    listing = walk(mcp_session, "prompts/list")
    for page in listing.pages:
        verdict.add(checks.prompt_list(page.exchange, page.items))


@pytest.mark.rule("PROMPT-02")
def test_prompt02_every_prompt_renders_well(mcp_session, verdict):
    prompts = _prompts(mcp_session)
    if not prompts:
        pytest.skip("the server lists no prompts")
    verdict.add(checks.gets_sampled(len(prompts), MAX_GETS))
    for prompt in prompts[:MAX_GETS]:
        arguments = _arguments(mcp_session, prompt)
        exchange = mcp_session.request("prompts/get", {"name": prompt["name"], "arguments": arguments})
        verdict.add(checks.get_result(exchange, prompt["name"], verdict.version))


@pytest.mark.rule("PROMPT-03")
def test_prompt03_unknown_prompt_gets_32602(mcp_session, verdict):
    exchange = mcp_session.request("prompts/get", {"name": UNKNOWN_PROMPT, "arguments": {}})
    verdict.add(checks.invalid_get(exchange, f"prompts/get of the unknown prompt {UNKNOWN_PROMPT!r}"))


@pytest.mark.rule("PROMPT-03")
def test_prompt03_missing_required_argument_gets_32602(mcp_session, verdict):
    needy = [p for p in _prompts(mcp_session) if checks.required_arguments(p)]
    if not needy:
        pytest.skip("no listed prompt has required arguments")
    for prompt in needy[:MAX_GETS]:
        exchange = mcp_session.request("prompts/get", {"name": prompt["name"], "arguments": {}})
        missing = ", ".join(checks.required_arguments(prompt))
        verdict.add(
            checks.invalid_get(exchange, f"prompts/get {prompt['name']!r} without its required {missing}")
        )
