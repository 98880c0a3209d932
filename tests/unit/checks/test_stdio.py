"""harness/checks/stdio.py: STDIO-01/02/04 judged from the transcript's notes.

The notes are the ones StdioTransport writes; the last test takes a transcript
from MemoryTransport, so a bad frame is judged the way a real run judges it.
"""

from __future__ import annotations

from harness.checks import stdio
from harness.transport.memory import MemoryTransport, answer
from harness.transport.stdio import CRLF_NOTE, MULTILINE_NOTE, NOT_UTF8_NOTE
from tests.unit.builders import frame, verdict

FRAME = '{"jsonrpc":"2.0","id":1,"result":{}}'


def test_clean_stdout_gives_no_finding() -> None:
    frames = [frame("send", FRAME), frame("recv", FRAME), frame("stderr", "log line", channel="stderr")]
    assert stdio.stdout_hygiene(frames) == []


def test_noise_on_stdout_is_stdio02() -> None:
    assert verdict(stdio.stdout_hygiene([frame("noise", "Server started", note="not JSON")])) == [
        ("STDIO-02", "fail")
    ]


def test_a_frame_over_several_lines_is_stdio01() -> None:
    assert verdict(stdio.stdout_hygiene([frame("recv", FRAME, note=f"{MULTILINE_NOTE} (3 lines)")])) == [
        ("STDIO-01", "fail")
    ]


def test_crlf_lines_are_counted_into_one_warning() -> None:
    [finding] = stdio.stdout_hygiene([frame("recv", FRAME, note=CRLF_NOTE)] * 3)
    assert (finding.rule, finding.severity) == ("STDIO-01", "warn") and finding.message.startswith(
        "3 line(s)"
    )


def test_a_frame_that_is_not_utf8_is_stdio04() -> None:
    assert verdict(stdio.stdout_hygiene([frame("recv", FRAME, note=NOT_UTF8_NOTE)])) == [("STDIO-04", "fail")]


def test_http_channels_are_not_judged() -> None:
    assert stdio.stdout_hygiene([frame("noise", "<html>", channel="http POST")]) == []


def test_a_banner_before_the_answer_is_caught_from_a_session_transcript() -> None:
    transport = MemoryTransport(lambda m: [b"Listening on stdio...", answer(m, {})])
    transport.send({"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert transport.receive(0).message["id"] == 1
    assert verdict(stdio.stdout_hygiene(transport.transcript.frames)) == [("STDIO-02", "fail")]
