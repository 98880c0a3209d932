"""harness/report/diff.py and `mcp-harness diff`: better, worse, unverified, and the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.diff import (
    BETTER,
    NEW_PROBLEM,
    NEWLY_VERIFIED,
    UNVERIFIED_NOW,
    WORSE,
    classify,
    diff_reports,
    render_markdown,
)
from tests.unit.builders import V3, V4
from tests.unit.reports import finding, make_record, report_of


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("pass", "fail", WORSE),
        ("pass", "warn", WORSE),
        ("warn", "fail", WORSE),
        ("fail", "warn", BETTER),
        ("fail", "pass", BETTER),
        ("skip", "fail", NEW_PROBLEM),
        ("absent", "warn", NEW_PROBLEM),
        ("not_verified", "pass", NEWLY_VERIFIED),
        ("pass", "skip", UNVERIFIED_NOW),
        ("fail", "not_verified", UNVERIFIED_NOW),
        ("pass", "absent", UNVERIFIED_NOW),
        ("pass", "pass", None),
        ("skip", "not_verified", None),
    ],
)
def test_classify(old: str, new: str, kind: str | None) -> None:
    assert classify(old, new) == kind


def run(version: str, *, rpc: str, sec: str, tool: str) -> dict:
    """A report where RPC-02, SEC-02 and TOOL-01 reach the given states at `version`."""

    def record(nodeid: str, rule: str, state: str) -> object:
        if state == "skip":
            return make_record(nodeid, [rule], version, outcome="skipped", skip_reason="not declared")
        found = [finding(rule, state, "bad")] if state in ("fail", "warn") else []
        return make_record(nodeid, [rule], version, findings=found)

    return report_of(
        [record("t::a", "RPC-02", rpc), record("t::b", "SEC-02", sec), record("t::c", "TOOL-01", tool)]
    )


def test_a_proxy_that_breaks_ids_is_a_regression() -> None:
    direct = run(V4, rpc="pass", sec="warn", tool="pass")
    proxied = run(V4, rpc="fail", sec="pass", tool="skip")
    result = diff_reports(direct, proxied)
    assert [(c.rule, c.version, c.old, c.new, c.kind) for c in result.changes] == [
        ("RPC-02", V4, "pass", "fail", WORSE),
        ("TOOL-01", V4, "pass", "skip", UNVERIFIED_NOW),
        ("SEC-02", V4, "warn", "pass", BETTER),
    ]
    assert result.exit_code == 1 and [c.rule for c in result.regressions] == ["RPC-02"]
    text = render_markdown(result, "direct", "proxied")
    assert "**1 regression(s)**" in text and "| RPC-02 | 2025-11-25 | pass | fail |" in text
    assert "## No longer verified (1)" in text and "## Better (1)" in text


def test_only_improvements_exit_zero() -> None:
    result = diff_reports(
        run(V4, rpc="fail", sec="warn", tool="skip"), run(V4, rpc="pass", sec="pass", tool="pass")
    )
    assert {c.kind for c in result.changes} == {BETTER, NEWLY_VERIFIED} and result.exit_code == 0
    same = run(V4, rpc="pass", sec="pass", tool="pass")
    assert diff_reports(same, run(V4, rpc="pass", sec="pass", tool="pass")).changes == []


def test_runs_at_different_versions_are_compared_per_rule() -> None:
    result = diff_reports(
        run(V3, rpc="pass", sec="pass", tool="pass"), run(V4, rpc="fail", sec="pass", tool="pass")
    )
    assert result.by == "rule" and "no protocol version in common" in result.notes[0]
    assert [(c.rule, c.version, c.kind) for c in result.changes] == [("RPC-02", "-", WORSE)]


def test_reports_of_other_checks_are_compared_with_a_note() -> None:
    old = run(V4, rpc="pass", sec="pass", tool="pass")
    new = dict(old, tool=dict(old["tool"], version="9.9.9"))
    result = diff_reports(old, new)
    assert result.changes == [] and "judged by different checks" in result.notes[0]


def test_cli_diff_exit_codes_and_files(tmp_path: Path, capsys) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, report in (
        (old, run(V4, rpc="pass", sec="pass", tool="pass")),
        (new, run(V4, rpc="pass", sec="warn", tool="pass")),
    ):
        folder.mkdir()
        (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")
    md, js = tmp_path / "diff.md", tmp_path / "diff.json"
    assert main(["diff", str(old), str(new / "report.json"), "--markdown", str(md), "--json", str(js)]) == 1
    assert "REGRESSION         SEC-02" in capsys.readouterr().out
    assert json.loads(js.read_text())["changes"][0] == {
        "rule": "SEC-02",
        "version": V4,
        "old": "pass",
        "new": "warn",
        "kind": WORSE,
        "regression": True,
    }
    assert "| SEC-02 | 2025-11-25 | pass | warn |" in md.read_text()
    assert main(["diff", str(new), str(old)]) == 0
    assert main(["diff", str(old), str(tmp_path / "missing")]) == 2
