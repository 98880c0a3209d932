"""From test reports to one verdict per rule, the CI gate, and the report files.

Runs only in the controlling process: with pytest-xdist the workers' findings
arrive through each report's `user_properties`, so merging is free.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness import rules
from harness.report.stamp import tool_stamp

VERDICT_ORDER = {"not_verified": 0, "skip": 1, "pass": 2, "warn": 3, "fail": 4}
EXIT_OK, EXIT_FAIL, EXIT_NOT_RUN = 0, 1, 2


@dataclass
class TestRecord:
    nodeid: str
    rules: list[str] = field(default_factory=list)
    version: str | None = None
    outcome: str = "passed"
    skip_reason: str = ""
    failure: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    duration: float = 0.0


@dataclass
class RuleResult:
    id: str
    level: str
    title: str
    verdict: str = "skip"
    by_version: dict[str, str] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    skip_reasons: list[str] = field(default_factory=list)
    baseline: bool = False


class VerdictCollector:
    """A pytest plugin object: gathers records, then writes reports and sets the exit code."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: dict[str, TestRecord] = {}
        self.started = time.time()
        self.profile: dict[str, Any] | None = None  # the first worker's probe, when this process has none

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if "mcp_rules" not in props:
            return
        if self.profile is None and "mcp_profile" in props:
            self.profile = json.loads(props["mcp_profile"])
        record = self.records.setdefault(report.nodeid, TestRecord(nodeid=report.nodeid))
        record.rules = list(props.get("mcp_rules") or [])
        record.version = props.get("mcp_version") or record.version
        record.duration += report.duration
        if "mcp_findings" in props:
            record.findings = json.loads(props["mcp_findings"])
        if "mcp_transcript" in props:
            record.transcript = json.loads(props["mcp_transcript"])
        if report.skipped:
            record.outcome = "skipped"
            longrepr = report.longrepr
            record.skip_reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        elif report.failed:
            record.outcome = "failed"
            record.failure = str(report.longreprtext)[:4000]
        elif report.when == "call" and record.outcome != "failed":
            record.outcome = "passed"

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.records:
            return
        run = getattr(self.config, "_mcp_run", None)
        baseline = load_baseline(self.config.getoption("--mcp-baseline", None))
        results = aggregate(self.records.values(), baseline)
        gate = gate_status(results, baseline)
        report = build_report(self, run, results, gate, baseline)
        self.report = report
        out = self.config.getoption("--mcp-report", None)
        if out:
            from harness.report.write import write_all

            write_all(Path(out), report, self.records.values())
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = gate["exit_code"]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        report = getattr(self, "report", None)
        if report is None:
            return
        from harness.report.console import summary_lines

        for line in summary_lines(report, self.config.getoption("--mcp-report", None)):
            terminalreporter.write_line(line)


def aggregate(records: Any, baseline: set[str]) -> list[RuleResult]:
    per_rule: dict[str, RuleResult] = {}
    per_version: dict[tuple[str, str], list[str]] = defaultdict(list)

    def result_for(rule_id: str) -> RuleResult:
        if rule_id not in per_rule:
            rule = rules.RULES.get(rule_id)
            per_rule[rule_id] = RuleResult(
                id=rule_id,
                level=rule.level if rule else "?",
                title=rule.title if rule else "",
                baseline=rule_id in baseline,
            )
        return per_rule[rule_id]

    for record in records:
        version = record.version or "-"
        touched = set(record.rules)
        for finding in record.findings:
            result = result_for(finding["rule"])
            sev = finding["severity"]
            item = dict(finding, test=record.nodeid, version=version)
            if sev in ("fail", "warn") and record.transcript:
                item["transcript"] = record.transcript
            result.findings.append(item)
            per_version[(finding["rule"], version)].append(sev if sev != "info" else "pass")
            touched.add(finding["rule"])
        for rule_id in record.rules:
            result = result_for(rule_id)
            result.tests.append(record.nodeid)
            if record.outcome == "skipped":
                not_verified = "NOT VERIFIED" in record.skip_reason
                per_version[(rule_id, version)].append("not_verified" if not_verified else "skip")
                if record.skip_reason not in result.skip_reasons:
                    result.skip_reasons.append(record.skip_reason)
            elif record.outcome == "failed":
                own = [f for f in record.findings if f["rule"] == rule_id and f["severity"] == "fail"]
                any_fail = any(f["severity"] == "fail" for f in record.findings)
                if own or not any_fail:
                    if not own:  # failed without a finding: a plain assertion or error
                        result.findings.append(
                            {
                                "rule": rule_id,
                                "severity": "fail",
                                "message": record.failure[:1500],
                                "test": record.nodeid,
                                "version": version,
                                "evidence": [],
                                "transcript": record.transcript,
                            }
                        )
                    per_version[(rule_id, version)].append("fail")
                else:
                    per_version[(rule_id, version)].append("pass")
            else:
                per_version[(rule_id, version)].append("pass")
    for (rule_id, version), states in per_version.items():
        result = per_rule[rule_id]
        result.by_version[version] = max(states, key=VERDICT_ORDER.__getitem__)
    for result in per_rule.values():
        states = list(result.by_version.values()) or ["skip"]
        result.verdict = max(states, key=VERDICT_ORDER.__getitem__)
    order = {rule_id: index for index, rule_id in enumerate(rules.RULES)}
    return sorted(per_rule.values(), key=lambda r: order.get(r.id, 10**6))


def gate_status(results: list[RuleResult], baseline: set[str]) -> dict[str, Any]:
    failing = [r.id for r in results if r.verdict == "fail"]
    unexpected = [r for r in failing if r not in baseline]
    stale = sorted(r.id for r in results if r.baseline and r.verdict in ("pass", "warn"))
    not_verified = (
        bool(results)
        and all(r.verdict in ("not_verified", "skip") for r in results)
        and any(r.verdict == "not_verified" for r in results)
    )
    code = EXIT_NOT_RUN if not_verified else EXIT_FAIL if unexpected else EXIT_OK
    return {
        "exit_code": code,
        "failing": failing,
        "unexpected_failures": unexpected,
        "baselined_failures": [r for r in failing if r in baseline],
        "stale_baseline": stale,
        "not_verified": not_verified,
    }


def build_report(
    collector: VerdictCollector, run: Any, results: list[RuleResult], gate: dict, baseline: set
) -> dict:
    summary: dict[str, int] = defaultdict(int)
    for result in results:
        summary[result.verdict] += 1
    profile = getattr(run, "_profile", None)
    if profile is None and collector.profile is not None:  # xdist controller: a worker's probe
        from types import SimpleNamespace

        profile = SimpleNamespace(**collector.profile)
    target = getattr(run, "target", None)
    versions = sorted({v for r in results for v in r.by_version if v != "-"})
    return {
        "tool": tool_stamp(),
        "shard": getattr(getattr(collector, "config", None), "_mcp_shard", None),
        "server": {
            "command": getattr(target, "command", None),
            "url": getattr(target, "url", None),
            "transport": getattr(target, "transport_kind", None),
            "serverInfo": getattr(profile, "server_info", {}) or {},
            "capabilities": getattr(profile, "capabilities", {}) or {},
            "protocolVersions": getattr(profile, "versions", []) or [],
            "protocolVersion": (getattr(profile, "versions", None) or [None])[0],
            "notVerifiedReason": getattr(profile, "reason", "")
            if profile is not None and not profile.ok
            else "",
        },
        "versions": versions,
        "summary": {k: summary.get(k, 0) for k in ("pass", "fail", "warn", "skip", "not_verified")},
        "toolsNotCalled": tools_not_called(results),
        "tests": len(collector.records),
        "duration_s": round(time.time() - collector.started, 3),
        "gate": gate,
        "slowest_tests": [
            {"test": r.nodeid, "seconds": round(r.duration, 3), "outcome": r.outcome}
            for r in sorted(collector.records.values(), key=lambda r: r.duration, reverse=True)[:10]
        ],
        "baseline": sorted(baseline),
        "rules": [
            {
                "id": r.id,
                "level": r.level,
                "title": r.title,
                "verdict": r.verdict,
                "versions": r.by_version,
                "baseline": r.baseline,
                "tests": r.tests,
                "skip_reasons": r.skip_reasons[:3],
                "findings": r.findings[:25],
            }
            for r in results
        ],
    }


CALL_TOOLS_FLAG = "--mcp-call-tools"
CALL_TOOLS_HINT = "rerun with --mcp-call-tools (--call-tools in the CLI) or with --sandbox to verify them"


def tools_not_called(results: list[RuleResult]) -> dict[str, Any]:
    """The rules left unverified only because tools were not called with valid arguments.

    Why a headline of its own: the safe default hides a group of rules (TOOL-03,
    progress, cancellation, ...) behind skip reasons a reader may never open.
    """
    ids = [
        r.id
        for r in results
        if r.verdict == "skip" and r.skip_reasons and all(CALL_TOOLS_FLAG in s for s in r.skip_reasons)
    ]
    return {"rules": ids, "hint": CALL_TOOLS_HINT if ids else ""}


def not_called_line(report: dict[str, Any]) -> str:
    """One line for every report: how many rules the safe default left unverified, and the flag."""
    ids = (report.get("toolsNotCalled") or {}).get("rules") or []
    if not ids:
        return ""
    shown = ", ".join(ids[:8]) + (", ..." if len(ids) > 8 else "")
    return f"{len(ids)} rules not verified because tools were not called ({shown}): {CALL_TOOLS_HINT}"


def load_baseline(path: str | None) -> set[str]:
    """A baseline file: a list of rule ids, or {"expected_failures": [...]} (YAML or JSON)."""
    if not path:
        return set()
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except ValueError:
        import yaml

        data = yaml.safe_load(text)
    if isinstance(data, dict):
        data = data.get("expected_failures", data.get("rules", []))
    ids = set()
    for entry in data or []:
        rule_id = entry.get("rule") if isinstance(entry, dict) else entry
        if not isinstance(rule_id, str):
            raise pytest.UsageError(f"baseline {path}: entries must be rule ids, got {entry!r}")
        try:
            ids.add(rules.get(rule_id).id)  # the catalogue's spelling: "rpc-02" covers RPC-02
        except KeyError as exc:
            raise pytest.UsageError(f"baseline {path}: {exc.args[0]}") from None
    return ids
