"""stdio hygiene (STDIO-*): what goes on the pipes, and how the server ends.

STDIO-01/02 are also checked on every frame of every test; here they get a
full run of their own from start-up to shutdown.
"""

from __future__ import annotations

import pytest

from harness.checks.stdio import non_ascii_id_lost, stdout_hygiene, still_running_after_stdin_closed
from suites._support import harmless, harmless_method, raw_request, reply_to

pytestmark = pytest.mark.transport("stdio")


@pytest.mark.rule("STDIO-01", "STDIO-02")
@pytest.mark.once_per_era("stdio framing")
def test_stdio02_only_protocol_on_stdout_from_start_to_exit(mcp_connect, verdict):
    session = mcp_connect()
    caps = session.state.capabilities
    for family, method, key in (
        ("tools", "tools/list", "tools"),
        ("resources", "resources/list", "resources"),
        ("prompts", "prompts/list", "prompts"),
    ):
        if family in caps:
            for _page in session.list_all(method, key, max_pages=5):
                pass
    harmless(session)
    session.stdio.close_stdin()
    session.stdio.wait_exit(3.0)  # what it writes until it exits counts
    session.collect(0.2) if session.transport.alive() else None
    verdict.add(stdout_hygiene(session.transcript.frames))


@pytest.mark.rule("STDIO-04")
def test_stdio04_utf8_round_trip(mcp_session, verdict):
    text = "ünïcødé ✓ 😀 中文"
    message = raw_request(mcp_session, {"jsonrpc": "2.0", "id": text, "method": harmless_method(mcp_session)})
    start = len(mcp_session.unmatched)
    mcp_session.send_message(message)
    reply = reply_to(mcp_session, (text,), 3.0)
    if reply is not None:
        return
    mangled = mcp_session.unmatched[start:]
    if mangled:
        del mcp_session.unmatched[start:]  # evidence for this rule, not phantom responses (RPC-02)
    verdict.add(non_ascii_id_lost(mangled))


@pytest.mark.rule("STDIO-05")
@pytest.mark.once_per_era("process exit")
def test_stdio05_exits_when_stdin_closes(mcp_connect, verdict):
    session = mcp_connect()
    harmless(session)
    transport = session.stdio
    transport.close_stdin()
    code = transport.wait_exit(5.0)
    if code is None:
        transport.habits.ignores_stdin_close = True  # later teardowns need not wait for it
        transport.close(grace=0)
        verdict.add(still_running_after_stdin_closed(transport.kill_needed))
