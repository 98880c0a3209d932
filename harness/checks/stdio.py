"""stdio hygiene (STDIO-01/02/04/05): judged from the transcript's notes and replies, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, warn
from harness.transport.stdio import CRLF_NOTE, MULTILINE_NOTE, NOT_UTF8_NOTE
from harness.transport.transcript import Frame


@check("STDIO-02")
def stdout_hygiene(frames: Iterable[Frame]) -> list[Finding]:
    """STDIO-02: every stdout line is a JSON-RPC message; STDIO-01: one per line;
    STDIO-04: frames are UTF-8."""
    findings: list[Finding] = []
    crlf = 0
    for frame in frames:
        if frame.channel != "stdio":
            continue
        if frame.direction == "noise":
            preview = frame.raw[:200]
            findings.append(
                fail("STDIO-02", f"stdout line that is not an MCP message ({frame.note}): {preview!r}")
            )
        elif frame.direction == "recv" and frame.note.startswith(MULTILINE_NOTE):
            findings.append(fail("STDIO-01", f"{frame.note}: {frame.raw[:120]!r}"))
        elif frame.direction == "recv" and frame.note == NOT_UTF8_NOTE:
            findings.append(fail("STDIO-04", f"a frame is not valid UTF-8: {frame.raw[:120]!r}"))
        elif frame.direction == "recv" and frame.note == CRLF_NOTE:
            crlf += 1
    if crlf:
        findings.append(warn("STDIO-01", f"{crlf} line(s) ended with CRLF instead of LF"))
    return findings[:20]


@check("STDIO-04")
def non_ascii_id_lost(mangled: list[dict[str, Any]]) -> list[Finding]:
    """STDIO-04: a request with a non-ASCII string id came back with that id
    intact. `mangled` holds the unmatched responses that arrived instead; with
    none at all, the request went unanswered (LIVE-01)."""
    if mangled:
        return [fail("STDIO-04", f"non-ASCII id came back as {mangled[0].get('id')!r}", *mangled)]
    return [fail("LIVE-01", "no reply to a request with a non-ASCII id")]


@check("STDIO-05")
def still_running_after_stdin_closed(kill_needed: Any) -> list[Finding]:
    """STDIO-05 (SHOULD): the server exits when its stdin closes; one still
    running 5 s later had to be signalled (`kill_needed` names the signal)."""
    return [warn("STDIO-05", f"still running 5 s after stdin closed; needed SIG{kill_needed}")]
