"""Liveness (LIVE-01/02): the server answers every request and survives bad input.

Hangs and crashes in any test are turned into LIVE-01/LIVE-02 findings by the
plugin; this module sends a barrage of bad input on purpose.
"""

from __future__ import annotations

import pytest

from suites._support import raw_request

BARRAGE = [
    {"jsonrpc": "2.0", "id": "l-1", "method": "x-harness/unknown"},
    {
        "jsonrpc": "2.0",
        "id": "l-2",
        "method": "tools/call",
        "params": {"name": "x" * 100_000, "arguments": {}},
    },
    {"jsonrpc": "2.0", "id": "l-3", "method": "resources/read", "params": {"uri": 12}},
    {"jsonrpc": "2.0", "id": "l-4", "method": "prompts/get", "params": {"name": None}},
    {"jsonrpc": "2.0", "method": "notifications/x-unknown", "params": {"deep": [[[[[[[[[[1]]]]]]]]]]}},
]


@pytest.mark.rule("LIVE-01", "LIVE-02")
@pytest.mark.once_per_era("a barrage of malformed requests")
def test_live_every_request_answered_and_server_survives(mcp_connect, verdict):
    session = mcp_connect()
    for message in BARRAGE:
        message = raw_request(session, dict(message))
        if "id" in message:
            exchange = session.send_request(message["method"], message=message)
            session.wait(exchange)  # NoResponse -> LIVE-01
        else:
            session.send_message(message)
    session.send_raw(b"\x00\xff garbage \xfe\n")
    session.settle(0.2)  # NoResponse -> LIVE-01, ServerGone -> LIVE-02
