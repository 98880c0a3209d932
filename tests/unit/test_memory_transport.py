"""MemoryTransport keeps the transport contract: transcript, inbox of Incoming/Failure, close.

These pin the reply forms the handler may use (see the module docstring of
harness/transport/memory.py), since every session test below relies on them.
"""

from __future__ import annotations

import time

import pytest

from harness.transport.base import Incoming, ReadTimeout, ServerGone, TransportError, encode
from harness.transport.memory import Later, MemoryTransport, RequestFailed, answer, refuse

PING = {"jsonrpc": "2.0", "id": 7, "method": "ping"}


def directions(transport: MemoryTransport) -> list[str]:
    return [f.direction for f in transport.transcript.frames]


def test_a_dict_reply_is_recorded_and_queued_on_send() -> None:
    transport = MemoryTransport(lambda m: answer(m, {}))
    transport.send(PING)
    incoming = transport.receive(0)
    assert isinstance(incoming, Incoming)
    assert incoming.message == {"jsonrpc": "2.0", "id": 7, "result": {}}
    assert incoming.channel == "stdio" and incoming.request_id is None
    assert directions(transport) == ["send", "recv"]
    assert transport.sent == [PING]


def test_a_list_is_several_frames_and_bytes_can_carry_a_batch() -> None:
    transport = MemoryTransport(lambda m: [answer(m, {}), encode([answer(m, {}), refuse(m, -1)])])
    transport.send(PING)
    first, second = transport.receive(0), transport.receive(0)
    assert isinstance(first.message, dict)
    assert isinstance(second.message, list) and len(second.message) == 2
    with pytest.raises(ReadTimeout):
        transport.receive(0)


def test_garbage_bytes_are_noise_not_a_frame() -> None:
    transport = MemoryTransport(lambda m: b"Starting server v1.2 ...")
    transport.send(PING)
    with pytest.raises(ReadTimeout):
        transport.receive(0)
    noise = transport.transcript.frames[-1]
    assert (noise.direction, noise.channel, noise.note) == ("noise", "stdio", "not JSON")
    assert noise.raw.startswith("Starting server")


def test_send_raw_hands_the_handler_json_when_it_parses_and_bytes_when_not() -> None:
    seen: list[object] = []
    transport = MemoryTransport(lambda m: seen.append(m))
    transport.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}')
    transport.send_raw(b'{"jsonrpc": "2.0", "id": ')
    assert seen == [{"jsonrpc": "2.0", "id": 1, "method": "ping"}, b'{"jsonrpc": "2.0", "id": ']
    assert [f.message for f in transport.transcript.frames] == [None, None]  # raw sends keep raw text only


def test_later_waits_for_its_time_without_a_thread() -> None:
    transport = MemoryTransport(lambda m: Later(answer(m, {}), after=0.1))
    transport.send(PING)
    with pytest.raises(ReadTimeout):
        transport.receive(0)
    started = time.monotonic()
    incoming = transport.receive(1.0)
    assert incoming.message["id"] == 7
    assert time.monotonic() - started < 0.5  # woken when due, not at the end of the wait


def test_push_lets_the_server_speak_first() -> None:
    transport = MemoryTransport()
    transport.push({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
    transport.push({"jsonrpc": "2.0", "method": "notifications/message"}, after=0.02)
    assert transport.receive(0).message["method"] == "notifications/tools/list_changed"
    assert transport.receive(0.5).message["method"] == "notifications/message"


def test_server_gone_is_reported_to_every_later_reader_and_refuses_sends() -> None:
    transport = MemoryTransport(lambda m: ServerGone("crashed", returncode=3))
    transport.send(PING)
    for _ in range(2):
        with pytest.raises(ServerGone, match="crashed"):
            transport.receive(0)
    assert not transport.alive()
    with pytest.raises(ServerGone):
        transport.send(PING)


def test_another_transport_error_fails_the_request_that_caused_it() -> None:
    transport = MemoryTransport(lambda m: TransportError("HTTP 500 with an empty body"))
    transport.send(PING)
    with pytest.raises(RequestFailed) as caught:
        transport.receive(0)
    assert caught.value.failure.request_id == 7
    with pytest.raises(ReadTimeout):
        transport.receive(0)  # delivered once, unlike ServerGone


def test_http_kind_ties_replies_to_their_request_and_keeps_headers() -> None:
    transport = MemoryTransport(lambda m: answer(m, {}), kind="http")
    transport.send(PING, headers={"Mcp-Method": "ping"})
    transport.send_raw(b'{"jsonrpc": "2.0", "id": 8, "method": "ping"}')
    first, second = transport.receive(0), transport.receive(0)
    assert (first.channel, first.request_id, first.raw_post) == ("http", 7, False)
    assert (second.request_id, second.raw_post) == (8, True)
    assert transport.headers == [{"Mcp-Method": "ping"}, None]


def test_close_ends_sending_and_works_as_a_context_manager() -> None:
    with MemoryTransport() as transport:
        assert transport.alive()
    assert not transport.alive()
    with pytest.raises(ServerGone, match="closed"):
        transport.send(PING)
    assert directions(transport) == ["event", "event"]
