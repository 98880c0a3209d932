"""Session.wait(drop_grace=...): a dropped request is spotted early, a slow one is not.

Real subprocesses speaking real frames: a tiny stdio server whose behaviour
for `tools/call` is set by its first argument, while it always answers ping.
"""

from __future__ import annotations

import sys
import textwrap
import time

import pytest

from harness.protocol.session import NoResponse, Session
from harness.transport.stdio import StdioTransport

SERVER = textwrap.dedent(
    """
    import json, sys, threading, time
    mode = sys.argv[1]
    out_lock = threading.Lock()

    def send(message):
        with out_lock:
            sys.stdout.write(json.dumps(message) + "\\n")
            sys.stdout.flush()

    def late(message, seconds):
        time.sleep(seconds)
        send({"jsonrpc": "2.0", "id": message["id"], "result": {"content": [], "isError": False}})

    owed = []  # answers-late: tools/call answered right after the next ping's answer
    for line in sys.stdin:
        message = json.loads(line)
        method, msg_id = message.get("method"), message.get("id")
        if msg_id is None:
            continue
        if method == "initialize":
            send({"jsonrpc": "2.0", "id": msg_id, "result": {"protocolVersion": "2025-11-25",
                  "capabilities": {"tools": {}}, "serverInfo": {"name": "drop", "version": "1"}}})
        elif method == "ping":
            if mode == "all-slow":
                time.sleep(6)
            send({"jsonrpc": "2.0", "id": msg_id, "result": {}})
            while owed:
                late(owed.pop(), 0)
        elif method == "tools/call":
            if mode == "drop":
                continue
            if mode == "answers-late":
                owed.append(message)
            if mode == "all-slow":
                late(message, 6)
    """
)


def _session(tmp_path, mode: str) -> Session:
    script = tmp_path / "drop_server.py"
    script.write_text(SERVER)
    transport = StdioTransport([sys.executable, str(script), mode])
    transport.start()
    session = Session(transport, timeout=20)
    session.initialize("2025-11-25")
    return session


def test_a_dropped_request_is_given_up_soon_after_a_later_ping_is_answered(tmp_path):
    session = _session(tmp_path, "drop")
    try:
        started = time.monotonic()
        with pytest.raises(NoResponse) as caught:
            session.request("tools/call", {"name": "x", "arguments": 5}, timeout=20, drop_grace=0.5)
        took = time.monotonic() - started
        assert took < 1.5, took  # ping + a few of its round trips, far from the 20 s timeout
        assert 0.1 <= caught.value.dropped <= 0.5 and caught.value.exchange.dropped
        assert "dropped" in str(caught.value) and "ping" in str(caught.value)
        assert any(e.method == "ping" and e.ok for e in session.exchanges)  # the sentinel really went out
    finally:
        session.close()


def test_an_answer_just_after_the_pings_still_counts(tmp_path):
    """A server that runs requests as tasks may answer the sentinel first: the grace covers that."""
    session = _session(tmp_path, "answers-late")
    try:
        exchange = session.request("tools/call", {"name": "x", "arguments": {}}, timeout=20, drop_grace=1.0)
        assert exchange.ok and not exchange.dropped
    finally:
        session.close()


def test_a_server_slow_on_everything_gets_the_full_timeout_not_a_drop(tmp_path):
    session = _session(tmp_path, "all-slow")
    try:
        started = time.monotonic()
        with pytest.raises(NoResponse) as caught:
            session.request("tools/call", {"name": "x", "arguments": {}}, timeout=3, drop_grace=0.5)
        assert caught.value.dropped is None and "within 3s" in str(caught.value)
        assert 2.9 <= time.monotonic() - started < 6
    finally:
        session.close()


def test_without_drop_grace_a_live_server_gets_the_slow_cap_then_a_cancel(tmp_path):
    """A request that may take work is not given up at the timeout while the server answers
    pings: it gets twice the timeout (slow is not dead), then it is cancelled and is LIVE-01."""
    session = _session(tmp_path, "drop")
    try:
        started = time.monotonic()
        with pytest.raises(NoResponse) as caught:
            session.request("tools/call", {"name": "x", "arguments": 5}, timeout=2)
        assert caught.value.dropped is None
        assert 3.9 <= time.monotonic() - started < 8
        assert any(e.method == "ping" and e.ok for e in session.exchanges)  # the liveness sentinel
        cancels = [f for f in session.transcript.frames if "notifications/cancelled" in str(f.message)]
        assert cancels, "the request given up on is cancelled"
        assert "tools/call" in session.hung_methods  # the next one waits HUNG_AGAIN_TIMEOUT only
    finally:
        session.close()
