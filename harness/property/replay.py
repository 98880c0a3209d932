"""Replay a failure file against the same (or another) server, and say whether
the same rule still fails.

A failure file starts with a header naming the rule, the test node id and the
protocol version; the rest is the transcript. Two kinds:

- from a fixed suite: the test node is run again (the transcript is for people);
- from a property run (`suites/test_properties.py`): the transcript *is* the
  test. Its client (`send`) frames are re-sent in order on a fresh session,
  waiting for each answer, and judged by the same code the property run used
  (`harness.property.machine.Wire`), so the same rule id comes back if the bug is there.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any


def replay(header: dict[str, Any], path: Path, server_args: list[str]) -> int:
    """Replay either kind of failure file: a property failure re-sends its frames,
    a fixed-suite failure re-runs its test node."""
    if is_property_failure(header):
        return replay_property(header, path, server_args)
    import pytest

    rule = header.get("rule")
    test = header.get("test") or ""
    version = header.get("version") or "latest"
    node = _node_in_suites(test)
    if node is None:
        print(f"replay: the file names no suite test ({test!r})")
        return 2
    with tempfile.TemporaryDirectory(prefix="mcp-replay-") as tmp:
        argv = [node, "-q", "-p", "no:cacheprovider", "--protocol-version", version, "--mcp-report", tmp]
        argv += server_args
        print(f"replaying {path.name}: rule {rule} via {test} at {version}")
        pytest.main(argv)
        report_file = Path(tmp) / "report.json"
        if not report_file.exists():
            print("replay: the run produced no report (server not started?)")
            return 2
        report = json.loads(report_file.read_text(encoding="utf-8"))
    verdicts = {r["id"]: r["verdict"] for r in report["rules"]}
    verdict = verdicts.get(rule, "not reached")
    if verdict == "fail":
        print(f"STILL FAILS: {rule}")
        return 1
    print(f"no longer fails: {rule} is {verdict}")
    return 0


def _node_in_suites(test: str) -> str | None:
    """Map the node id stored in the report to a path that works from here."""
    from harness.rules.coverage import suites_dir

    if "::" not in test:
        return None
    file_part, rest = test.split("::", 1)
    candidate = suites_dir() / Path(file_part).name
    if not candidate.exists():
        return None
    return f"{candidate}::{rest}"


# --------------------------------------------------------------------------- property failures
def is_property_failure(header: dict[str, Any]) -> bool:
    """A failure file written from a property run (its frames are the thing to replay)."""
    test = str(header.get("test") or "")
    return header.get("kind") == "property" or Path(test.split("::", 1)[0]).name == "test_properties.py"


def replay_frames(frames: list[dict[str, Any]], session: Any, timeout: float) -> tuple[list[Any], bool]:
    """Re-send the client frames of a transcript on an opened session, waiting for each
    answer, and judge everything exactly as the property run did (`harness.property.machine.Wire`).

    Returns the FAIL findings and whether every frame could be sent (False when
    the server hung or died on the way, which is itself a LIVE finding).
    """
    from harness.property.machine import PropertyFailure, Wire, catalogue

    wire = Wire(session, timeout)
    cat = catalogue(wire)  # as the property run did first: tool names and first pages
    wire.tool_names = cat.tool_names if cat.declared("tools") else None
    wire.baseline = dict(cat.first_pages)
    session.__dict__["_replay_start"] = session.transcript.last_seq
    sent = [f for f in frames if f.get("dir") == "send"]
    findings: list[Any] = []
    skip_next = False
    try:
        for index, frame in enumerate(sent):
            if skip_next:
                skip_next = False
                continue
            if "message" in frame:
                message = frame["message"]
                if isinstance(message, dict) and isinstance(message.get("method"), str) and "id" in message:
                    following = sent[index + 1].get("message") if index + 1 < len(sent) else None
                    if _cancels(following, message.get("id")):
                        wire.cancel_in_flight(message)
                        skip_next = True
                    else:
                        wire.request(message)
                elif isinstance(message, dict) and "method" in message and "id" not in message:
                    wire.notification(message)
                elif isinstance(message, dict) and {"result", "error"} & set(message):
                    continue  # our answer to a server request: the new session answers for itself
                else:
                    wire.malformed("json", message)
            else:
                wire.malformed("raw", str(frame.get("raw", "")).encode("utf-8"))
            findings += wire.findings()
    except PropertyFailure as exc:
        findings += exc.findings
        return findings, False
    return findings, True


def _cancels(message: Any, request_id: Any) -> bool:
    if not isinstance(message, dict) or message.get("method") != "notifications/cancelled":
        return False
    params = message.get("params")
    return isinstance(params, dict) and params.get("requestId") == request_id and "requestId" in params


def replay_property(header: dict[str, Any], path: Path, server_args: list[str]) -> int:
    """Re-send a property failure's client frames against the server and re-run the checks."""
    import argparse
    import shlex

    from harness.protocol.profile import probe
    from harness.protocol.session import NoResponse, Session
    from harness.protocol.target import ServerTarget
    from harness.protocol.versions import ALL_VERSIONS
    from harness.transport.base import TransportError
    from harness.transport.transcript import Transcript, render

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--server-cmd")
    parser.add_argument("--server-url")
    parser.add_argument("--server-env", action="append", default=[])
    parser.add_argument("--server-cwd")
    parser.add_argument("--mcp-header", action="append", default=[])
    parser.add_argument("--mcp-timeout", type=float, default=10.0)
    args, _ = parser.parse_known_args(server_args)
    target = ServerTarget(
        command=args.server_cmd,
        url=args.server_url,
        env=dict(item.partition("=")[::2] for item in args.server_env),
        cwd=args.server_cwd,
        headers={k.strip(): v.strip() for k, _, v in (h.partition(":") for h in args.mcp_header)},
        timeout=args.mcp_timeout,
    )
    rule = header.get("rule")
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    frames = [json.loads(line) for line in lines if line.strip()]
    version = header.get("version")
    session = None
    try:
        target.prepare()
        if version not in ALL_VERSIONS:
            profile = probe(target, "latest", args.mcp_timeout)
            if not profile.ok or not profile.versions:
                print(f"replay: server not verified: {profile.reason}")
                return 2
            version = profile.versions[0]
        session = Session(target.connect(Transcript()), timeout=args.mcp_timeout)
        session.open(str(version))
        if session.state.era == "unknown":
            print(f"replay: could not open a session at {version}")
            return 2
        sent = sum(1 for f in frames if f.get("dir") == "send")
        print(
            f"replaying {path.name}: rule {rule}, {sent} client frame(s) at {version} "
            f"against {target.describe() or shlex.join(server_args)}"
        )
        findings, _complete = replay_frames(frames, session, args.mcp_timeout)
        print(render(session.transcript.since(session.__dict__.get("_replay_start", 0)), 40))
    except (NoResponse, TransportError) as exc:
        print(f"replay: the server could not be driven: {exc}")
        return 2
    finally:
        if session is not None:
            session.close()
        target.shutdown()
    for finding in findings:
        print(finding.line().splitlines()[0])
    if any(f.rule == rule for f in findings):
        print(f"STILL FAILS: {rule}")
        return 1
    others = sorted({f.rule for f in findings})
    print(f"no longer fails: {rule}" + (f" (other rules fail now: {', '.join(others)})" if others else ""))
    return 0
