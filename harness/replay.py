"""Replay a failure file: run the test that produced it again, against the
same (or another) server, and say whether the same rule still fails.

A failure file starts with a header naming the rule, the test node id and the
protocol version; the rest is the transcript, kept for people to read.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any


def replay(header: dict[str, Any], path: Path, server_args: list[str]) -> int:
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
    from harness.coverage import suites_dir

    if "::" not in test:
        return None
    file_part, rest = test.split("::", 1)
    candidate = suites_dir() / Path(file_part).name
    if not candidate.exists():
        return None
    return f"{candidate}::{rest}"
