"""The client persona at work: the server asks, the harness answers as a real client would.

2026-07-28: every tool the persona can call is driven through its input_required
rounds (harness/protocol/mrtr.py): answered, retried with the exact requestState,
until a final result; each round is judged (MRTR-01/02 on the result, the schema
on every frame) and the flow as a whole (INPUT-01: answers are used; INPUT-02: a
missing answer is asked for again). Handshake era: the persona answers the
server's own elicitation, sampling and roots requests mid-call (session.py), and
the server may send only the kinds and modes the persona declared (CAP-03).
How the persona answers is configured with --persona FILE.yaml (README).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks.modern import input_requests_declared, input_required_content
from harness.checks.mrtr import (
    answers_taken,
    flows_seen,
    missing_answer_asked_again,
    persona_answered,
    tampered_state_refused,
)
from harness.property.examples import NoExample, valid_arguments
from harness.protocol.mrtr import Flow, drive, input_requests, retry_tampered
from harness.protocol.session import Session
from suites._support import NO_CALL_TOOLS, all_tools

MAX_TOOLS = 12


def callable_tools(session: Session) -> list[tuple[str, dict[str, Any]]]:
    """(name, valid arguments) of every tool the persona may call, read-only or additive first."""
    out = []
    for tool in all_tools(session):
        if (tool.get("annotations") or {}).get("destructiveHint") is True and tool.get("annotations", {}).get(
            "idempotentHint"
        ) is not True:
            continue
        try:
            out.append((tool["name"], valid_arguments(tool.get("inputSchema"))))
        except NoExample:
            continue
    return out[:MAX_TOOLS]


def persona_session(mcp_connect, verdict) -> tuple[Session, dict[str, Any]]:
    persona = verdict.run.persona
    capabilities = persona.capabilities(verdict.version)
    return mcp_connect(capabilities=capabilities), capabilities


def judge_rounds(verdict, flow: Flow, capabilities: dict[str, Any]) -> None:
    for exchange in flow.rounds:
        verdict.add(input_required_content(exchange), input_requests_declared(exchange, capabilities))


@pytest.mark.era("modern")
@pytest.mark.rule("INPUT-01", "MRTR-01", "MRTR-02")
@pytest.mark.requires_capability("tools")
def test_input01_persona_drives_input_required_to_the_end(mcp_connect, verdict):
    if not verdict.run.call_tools:
        pytest.skip(NO_CALL_TOOLS)
    session, capabilities = persona_session(mcp_connect, verdict)
    persona = verdict.run.persona
    flows = [
        drive(session, "tools/call", {"name": name, "arguments": args}, persona)
        for name, args in callable_tools(session)
    ]
    for flow in flows:
        judge_rounds(verdict, flow, capabilities)
        verdict.add(answers_taken(flow))
    verdict.add(flows_seen(flows))


@pytest.mark.era("modern")
@pytest.mark.rule("INPUT-02")
@pytest.mark.requires_capability("tools")
def test_input02_a_missing_answer_is_asked_for_again(mcp_connect, verdict):
    if not verdict.run.call_tools:
        pytest.skip(NO_CALL_TOOLS)
    session, capabilities = persona_session(mcp_connect, verdict)
    persona = verdict.run.persona
    asked = 0
    for name, args in callable_tools(session):
        params = {"name": name, "arguments": args}
        flow = drive(session, "tools/call", params, persona, omit_first=True)
        omitted = frozenset(input_requests(flow.rounds[0]))
        if not omitted:
            continue
        asked += 1
        judge_rounds(verdict, flow, capabilities)
        verdict.add(missing_answer_asked_again(flow, omitted))
    if not asked:
        pytest.skip("no tool asked for input (inputRequests): no answer to leave out")


@pytest.mark.era("legacy")
@pytest.mark.rule("CAP-03")
@pytest.mark.requires_capability("tools")
def test_persona_answers_the_servers_requests_mid_call(mcp_connect, verdict):
    """Handshake era: what the server asks mid-call is answered; the call still ends (LIVE-01)."""
    if not verdict.run.call_tools:
        pytest.skip(NO_CALL_TOOLS)
    session, _capabilities = persona_session(mcp_connect, verdict)
    for name, args in callable_tools(session):
        session.request("tools/call", {"name": name, "arguments": args})
    verdict.add(persona_answered(session.server_requests))


@pytest.mark.era("modern")
@pytest.mark.rule("MRTR-03")
@pytest.mark.requires_capability("tools")
def test_mrtr03_a_tampered_request_state_is_refused(mcp_connect, verdict):
    if not verdict.run.call_tools:
        pytest.skip(NO_CALL_TOOLS)
    session, _capabilities = persona_session(mcp_connect, verdict)
    flows = [
        retry_tampered(session, "tools/call", {"name": name, "arguments": args}, verdict.run.persona)
        for name, args in callable_tools(session)
    ]
    flows = [f for f in flows if f is not None]
    if not flows:
        pytest.skip("no tool answered input_required with a requestState: no state to tamper with")
    for flow in flows:
        verdict.add(tampered_state_refused(flow))
