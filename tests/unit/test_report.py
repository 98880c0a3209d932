"""harness/report/: build_report, then the JSON, Markdown, HTML and console renderings.

A small aggregate (one failure, one warning, one pass, one stale baseline
entry) goes through the same path a run takes; each renderer must show the
verdict, the rule rows and the failing finding with its replay command.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from harness.report import verdicts
from harness.report.console import summary_lines
from harness.report.html import render_html
from harness.report.markdown import render_markdown
from harness.report.write import write_all
from tests.unit.builders import V4

TRANSCRIPT = [
    {
        "seq": 1,
        "t": 0.0,
        "dir": "send",
        "channel": "stdio",
        "message": {"jsonrpc": "2.0", "id": 1, "method": "ping"},
    },
    {
        "seq": 2,
        "t": 0.01,
        "dir": "recv",
        "channel": "stdio",
        "message": {"jsonrpc": "2.0", "id": "1", "result": {}},
    },
]


def record(nodeid: str, rules: list[str], findings: list[dict[str, Any]], duration: float) -> Any:
    return verdicts.TestRecord(
        nodeid=nodeid, rules=rules, version=V4, findings=findings, transcript=TRANSCRIPT, duration=duration
    )


def build(*, baseline: set[str] | None = None, not_verified: str = "") -> dict[str, Any]:
    """A report as VerdictCollector.pytest_sessionfinish builds it, without pytest around."""
    baseline = baseline or set()
    records = {
        r.nodeid: r
        for r in (
            record(
                "suites/test_jsonrpc.py::test_ids",
                ["RPC-02"],
                [finding("RPC-02", "fail", "id 1 answered with id '1' <script>")],
                0.2,
            ),
            record(
                "suites/test_logging.py::test_level",
                ["LOG-01"],
                [finding("LOG-01", "warn", "setLevel result is not empty")],
                0.1,
            ),
            record("suites/test_tools.py::test_list", ["TOOL-01"], [], 0.3),
        )
    }
    collector = SimpleNamespace(records=records, started=time.time() - 1.5, profile=None)
    profile = SimpleNamespace(
        server_info={"name": "demo", "version": "1.0"},
        capabilities={"tools": {}},
        versions=[V4],
        ok=not not_verified,
        reason=not_verified,
    )
    run = SimpleNamespace(
        target=SimpleNamespace(command="python server.py", url=None, transport_kind="stdio"), _profile=profile
    )
    results = verdicts.aggregate(records.values(), baseline)
    gate = verdicts.gate_status(results, baseline)
    return verdicts.build_report(collector, run, results, gate, baseline)  # type: ignore[arg-type]


def finding(rule: str, severity: str, message: str) -> dict[str, Any]:
    return {"rule": rule, "severity": severity, "message": message, "evidence": []}


def test_build_report_summarises_rules_gate_and_server() -> None:
    report = build(baseline={"TOOL-01"})
    assert report["summary"] == {"pass": 1, "fail": 1, "warn": 1, "skip": 0, "not_verified": 0}
    assert [r["id"] for r in report["rules"]] == ["RPC-02", "TOOL-01", "LOG-01"]
    assert report["gate"]["exit_code"] == 1 and report["gate"]["stale_baseline"] == ["TOOL-01"]
    assert report["server"]["serverInfo"] == {"name": "demo", "version": "1.0"}
    assert report["server"]["protocolVersion"] == V4 and report["versions"] == [V4]
    assert report["tests"] == 3 and report["duration_s"] >= 1.5
    assert report["slowest_tests"][0]["test"] == "suites/test_tools.py::test_list"


def test_markdown_shows_the_result_the_table_and_the_findings() -> None:
    text = render_markdown(build(baseline={"TOOL-01"}))
    assert "- Result: **FAIL** — 1 fail, 1 warn, 1 pass, 0 skip, 0 not verified (3 tests" in text
    assert f"| Rule | Level | {V4} | Title |" in text
    assert "| RPC-02 | MUST | ❌ fail |" in text and "| LOG-01 |" in text and "⚠️ warn" in text
    assert (
        "### RPC-02 (fail)" in text and "- **fail** `suites/test_jsonrpc.py::test_ids`: id 1 answered" in text
    )
    assert "Baseline entries that now pass (remove them): TOOL-01" in text


def test_html_shows_the_status_rows_and_escapes_server_text() -> None:
    page = render_html(build())
    assert 'MCP conformance report — <span class="v-fail">FAIL</span>' in page
    for rule in ("RPC-02", "TOOL-01", "LOG-01"):
        assert f'<tr id="{rule}">' in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert '<td class="v-fail">fail</td>' in page


def test_a_run_that_verified_nothing_says_not_run_and_why() -> None:
    report = build(not_verified="server did not start")
    report["gate"]["exit_code"] = verdicts.EXIT_NOT_RUN
    assert "**NOT RUN**" in render_markdown(
        report
    ) and "- Not verified: server did not start" in render_markdown(report)
    assert ">NOT RUN</span>" in render_html(report) and "Not verified: server did not start" in render_html(
        report
    )


def test_write_all_writes_every_file_and_a_replayable_failure(tmp_path: Path) -> None:
    report = build()
    write_all(tmp_path, report, [])
    saved = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert saved["failure_files"] == {"RPC-02": ["failures/RPC-02-1.jsonl"]}
    header, *frames = (tmp_path / "failures" / "RPC-02-1.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(header)["header"]["rule"] == "RPC-02"
    assert [json.loads(f)["dir"] for f in frames] == ["send", "recv"]
    replay = "mcp-harness replay failures/RPC-02-1.jsonl"
    assert replay in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert replay in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_console_summary_lists_problems_and_the_exit_code() -> None:
    lines = summary_lines(build(baseline={"TOOL-01"}), "out")
    assert "MCP conformance: 1 fail, 1 warn, 1 pass, 0 skip, 0 not verified over 3 rules" in lines
    assert any(line.startswith("  FAIL RPC-02") for line in lines)
    assert "  stale baseline entries (now passing): TOOL-01" in lines
    assert lines[-1] == "  gate exit code: 1"


def test_html_groups_http_v1_01_under_http() -> None:
    report = build()
    report["rules"] = [dict(report["rules"][0], id=rule) for rule in ("HTTP-M06", "HTTP-V1-01")]
    page = render_html(report)
    assert page.count('<tr class="family">') == 1


def test_every_report_says_how_many_rules_need_tool_calls() -> None:
    """Issue 18: the safe default's hidden rules get one line at the top of each report."""
    records = [
        verdicts.TestRecord(
            nodeid="suites/test_progress.py::test_progress",
            rules=["PROG-01", "PROG-02"],
            version=V4,
            outcome="skipped",
            skip_reason="calling tools needs the opt-in --mcp-call-tools (tools may have side effects)",
        ),
        verdicts.TestRecord(
            nodeid="suites/test_logging.py::test_log",
            rules=["LOG-01"],
            version=V4,
            outcome="skipped",
            skip_reason="server did not declare the logging capability",
        ),
    ]
    results = verdicts.aggregate(records, set())
    report = {"toolsNotCalled": verdicts.tools_not_called(results)}
    assert report["toolsNotCalled"]["rules"] == ["PROG-01", "PROG-02"]  # LOG-01 is skipped for another reason
    line = verdicts.not_called_line(report)
    assert line.startswith("2 rules not verified because tools were not called (PROG-01, PROG-02)")
    assert "--mcp-call-tools" in line and "--sandbox" in line

    full = build()
    full["toolsNotCalled"] = report["toolsNotCalled"]
    assert f"  {line}" in summary_lines(full, "out")
    assert f"- {line}" in render_markdown(full)
    assert "2 rules not verified because tools were not called" in render_html(full)
    assert verdicts.not_called_line(build()) == ""  # nothing to say when every rule was reachable
