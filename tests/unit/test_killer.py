"""Which request killed the server (harness/protocol/killer.py), on the in-memory transport.

A probe is blamed only when a fresh server, alive right before it, dies of it again:
a server that dies on its own (after its first answer, say) is LIVE-02's alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks.killed import killed_by_probe, probe_rules
from harness.protocol import killer
from harness.protocol.session import Session
from harness.transport.base import ServerGone
from harness.transport.memory import MemoryTransport, answer

INIT = {"protocolVersion": "2025-11-25", "capabilities": {}, "serverInfo": {"name": "m", "version": "1"}}


def dies_on_bad_json(message: Any) -> Any:
    """A server that exits on a line that is not JSON and answers everything else."""
    if isinstance(message, bytes):
        return ServerGone("exited with 3")
    if isinstance(message, dict) and "id" in message and "method" in message:
        return answer(message, INIT if message["method"] == "initialize" else {})
    return None


def dies_after_first_answer() -> Any:
    answered = [0]

    def handle(message: Any) -> Any:
        if isinstance(message, dict) and "id" in message and "method" in message:
            if answered[0]:
                return ServerGone("closed stdout")
            answered[0] += 1
            return answer(message, INIT)
        return None

    return handle


def connect_to(handler: Any) -> Any:
    def connect() -> Session:
        transport = MemoryTransport(handler)
        transport.start()
        return Session(transport, timeout=0.5)

    return connect


def test_a_probe_that_kills_a_fresh_server_again_is_blamed() -> None:
    connect = connect_to(dies_on_bad_json)
    session = connect()
    session.initialize("2025-11-25")
    session.request("ping")
    session.send_raw(b"{not json\n")
    with pytest.raises(ServerGone):
        session.request("ping")
    suspects = killer.suspects(session)
    assert [s.raw for s in suspects if s.raw is not None] == [b"{not json\n"]
    assert killer.replay_kills(connect, "2025-11-25", suspects, 0.5)
    [finding] = killed_by_probe("RPC-08", killer.describe(suspects), "2025-11-25", "stdio")
    assert (finding.rule, finding.severity) == ("RPC-08", "fail")


def test_a_server_that_dies_on_its_own_is_not_blamed_on_the_probe() -> None:
    connect = connect_to(dies_after_first_answer())
    session = connect()
    session.initialize("2025-11-25")
    session.send_raw(b"{not json\n")
    with pytest.raises(ServerGone):
        session.request("ping")
    suspects = killer.suspects(session)
    fresh = connect_to(dies_after_first_answer())  # each replay gets a fresh process: a new handler
    assert not killer.replay_kills(fresh, "2025-11-25", suspects, 0.5)


def test_only_refusal_rules_are_probes_and_the_handshake_is_not_replayed() -> None:
    assert probe_rules(["TOOL-14", "LIVE-01"]) == ["TOOL-14"]
    assert probe_rules(["STDIO-01", "STDIO-02"]) == []
    session = connect_to(dies_on_bad_json)()
    session.initialize("2025-11-25")
    assert killer.suspects(session) == []  # only notifications/initialized went out after the answer
