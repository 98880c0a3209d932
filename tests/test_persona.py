"""The client persona end to end, on real server processes over stdio.

- on the spec server, the persona drives `confirm_priority` through its three
  2026-07-28 rounds (elicitation, then sampling, then the result), echoing each
  requestState byte for byte, and a declining persona ends the call after one;
- the persona file is honoured by the CLI (`--persona`), and a bad one is a usage error.

The INPUT-01/INPUT-02 faults of the spec server are proven with the others in
tests/test_faults.py (the whole suites report exactly their rule); the legacy
path (server-sent elicitation answered mid-call) on the reference server in
tests/test_enterprise_server.py.
"""

from __future__ import annotations

import subprocess
import sys

from harness.checks.mrtr import answers_taken
from harness.protocol.mrtr import drive, input_requests
from harness.protocol.persona import Persona, default_roots
from harness.protocol.session import Session
from harness.transport.stdio import StdioTransport
from tests.suite_runner import REPO, spec_server_cmd

V5 = "2026-07-28"


def _spec_session(persona: Persona) -> Session:
    transport = StdioTransport(spec_server_cmd())
    transport.start()
    session = Session(transport, timeout=10, client_capabilities=persona.capabilities(V5))
    session.persona = persona
    session.open(V5)
    return session


def test_persona_completes_a_three_round_flow_echoing_the_state(tmp_path):
    persona = Persona(values={"priority": "High"}, roots=default_roots([tmp_path]))
    session = _spec_session(persona)
    try:
        flow = drive(
            session, "tools/call", {"name": "confirm_priority", "arguments": {"ticket": "SUP-7"}}, persona
        )
    finally:
        session.close()
    assert [list(input_requests(e)) for e in flow.rounds] == [["priority"], ["note"], []]
    assert flow.completed and flow.last.ok
    text = flow.last.result["content"][0]["text"]
    assert "priority High confirmed" in text and persona.text in text  # both answers were used
    for earlier, retry in zip(flow.rounds, flow.rounds[1:], strict=False):
        sent = retry.request["params"]
        assert sent["requestState"] == earlier.result["requestState"]  # echoed exactly
        assert retry.request["id"] != earlier.request["id"]  # a new request each round
        assert sent["arguments"] == {"ticket": "SUP-7"}  # the original request, retried
    assert flow.rounds[1].request["params"]["inputResponses"] == {
        "priority": {"action": "accept", "content": {"priority": "High", "notify": True}}
    }
    assert flow.rounds[2].request["params"]["inputResponses"]["note"]["model"] == persona.model
    assert answers_taken(flow) == []


def test_a_declining_persona_ends_the_call_after_one_answer():
    persona = Persona(action="decline")
    session = _spec_session(persona)
    try:
        flow = drive(
            session, "tools/call", {"name": "confirm_priority", "arguments": {"ticket": "SUP-8"}}, persona
        )
    finally:
        session.close()
    assert len(flow.rounds) == 2 and flow.completed
    assert flow.rounds[1].request["params"]["inputResponses"] == {"priority": {"action": "decline"}}
    assert "not confirmed (decline)" in flow.last.result["content"][0]["text"]


def test_the_cli_takes_a_persona_file_and_refuses_a_bad_one(tmp_path):
    good = tmp_path / "persona.yaml"
    good.write_text("elicitation: {action: cancel}\nsampling: {text: Fine.}\nroots: [/tmp]\nmax_rounds: 2\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("elicitation: {action: shrug}\n")
    base = [sys.executable, "-m", "harness.cli", "run", "--server-cmd", spec_server_cmd()]
    base += ["--protocol-version", V5, "--call-tools", "-k", "persona or input0"]
    ok = subprocess.run(
        [*base, "--report", str(tmp_path / "ok"), "--persona", str(good)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert ok.returncode == 0, ok.stdout[-3000:]
    refused = subprocess.run(
        [*base, "--report", str(tmp_path / "bad"), "--persona", str(bad)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode == 2 and "shrug" in refused.stdout + refused.stderr
