"""Completion (COMP-*), on any server.

References are discovered from the server: each argument of each listed prompt
and each variable of each listed resource template. 2024-11-05 had no
`completions` capability but did define completion/complete, so at that
version support is found out by asking, and COMP-01 does not apply. From
2025-03-26 COMP-01 is judged both ways: undeclared completion must not be
served, declared completion must be.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import completion as checks
from harness.checks.resources import template_problem, template_variables
from harness.protocol.session import Exchange, Session
from harness.protocol.versions import V1
from suites._support import all_items

UNKNOWN_PROMPT = "__mcp_harness_no_such_prompt__"
MAX_REFS = 20


def _refs(session: Session) -> list[tuple[dict[str, Any], str]]:
    """(ref, argument name) pairs the server itself advertises."""
    caps = session.state.capabilities
    refs: list[tuple[dict[str, Any], str]] = []
    if "prompts" in caps:
        for prompt in all_items(session, "prompts/list"):
            if not isinstance(prompt, dict) or not isinstance(prompt.get("name"), str):
                continue
            for argument in prompt.get("arguments") or []:
                if isinstance(argument, dict) and isinstance(argument.get("name"), str):
                    refs.append(({"type": "ref/prompt", "name": prompt["name"]}, argument["name"]))
    if "resources" in caps:
        for template in all_items(session, "resources/templates/list"):
            uri = template.get("uriTemplate") if isinstance(template, dict) else None
            if isinstance(uri, str) and template_problem(uri) is None:
                refs.extend(({"type": "ref/resource", "uri": uri}, name) for name in template_variables(uri))
    return refs[:MAX_REFS]


def _complete(session: Session, ref: dict[str, Any], argument: str, value: str = "") -> Exchange:
    return session.request(
        "completion/complete", {"ref": ref, "argument": {"name": argument, "value": value}}
    )


def _probe_ref(session: Session) -> tuple[dict[str, Any], str]:
    refs = _refs(session)
    return refs[0] if refs else ({"type": "ref/prompt", "name": UNKNOWN_PROMPT}, "name")


def _require_support(session: Session, version: str) -> None:
    """Skip unless the server supports completion (declared, or on 2024-11-05 answering)."""
    if version != V1:
        if "completions" not in session.state.capabilities:
            pytest.skip("server did not declare the completions capability")
        return
    probe = _complete(session, *_probe_ref(session))
    if probe.code == -32601:
        pytest.skip("completion/complete is not implemented (-32601; 2024-11-05 has no capability for it)")


@pytest.mark.rule("COMP-01", "COMP-03")
def test_comp01_undeclared_completion_is_not_served(mcp_session, verdict):
    if verdict.version == V1:
        pytest.skip("2024-11-05 has no completions capability")
    if "completions" in mcp_session.state.capabilities:
        pytest.skip("the server declares completions")
    ref, argument = _probe_ref(mcp_session)
    exchange = _complete(mcp_session, ref, argument)
    verdict.add(checks.undeclared_but_served(exchange, ref))
    verdict.add(checks.unsupported_code(exchange))


@pytest.mark.rule("COMP-01")
def test_comp01_declared_completion_is_served(mcp_session, verdict):
    if verdict.version == V1:
        pytest.skip("2024-11-05 has no completions capability")
    if "completions" not in mcp_session.state.capabilities:
        pytest.skip("server did not declare the completions capability")
    ref, argument = _probe_ref(mcp_session)
    verdict.add(checks.declared_but_not_served(_complete(mcp_session, ref, argument), ref))


@pytest.mark.rule("COMP-02")
def test_comp02_completion_results_are_well_formed(mcp_session, verdict):
    _require_support(mcp_session, verdict.version)
    refs = _refs(mcp_session)
    if not refs:
        pytest.skip("no prompt argument or template variable to complete")
    for ref, argument in refs:
        for value in ("", "a"):
            verdict.add(checks.complete_result(_complete(mcp_session, ref, argument, value), ref, argument))


@pytest.mark.rule("COMP-03")
def test_comp03_unknown_prompt_gets_32602(mcp_session, verdict):
    _require_support(mcp_session, verdict.version)
    ref = {"type": "ref/prompt", "name": UNKNOWN_PROMPT}
    exchange = _complete(mcp_session, ref, "name")
    verdict.add(
        checks.invalid_complete(exchange, f"completion/complete for the unknown prompt {UNKNOWN_PROMPT!r}")
    )


@pytest.mark.rule("COMP-03")
def test_comp03_missing_argument_gets_32602(mcp_session, verdict):
    _require_support(mcp_session, verdict.version)
    ref, _argument = _probe_ref(mcp_session)
    exchange = mcp_session.request("completion/complete", {"ref": ref})
    verdict.add(checks.invalid_complete(exchange, "completion/complete without its required argument"))
    verdict.add(checks.stand_in_reference(ref, UNKNOWN_PROMPT))
