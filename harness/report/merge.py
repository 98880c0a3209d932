"""Merge report.json files (the shards of one run, or runs of parts of the suites) into one report.

Why it is exact: a report's verdict for a rule at a version is the worst state
any of its tests reached there (`verdicts.aggregate`). Shards split the tests,
never a test, so the worst over the shards' per-version verdicts is the worst
over all tests: the merged verdicts, and so the gate (`verdicts.gate_status`
on them), are those of the unsharded run. What cannot be rebuilt exactly is
said so: `duration_s` becomes the longest shard (the wall time of a parallel
run), the sum is kept beside it.

Reports judged by another harness version or catalogue are refused: their
verdicts are not comparable. Sharded reports must be the complete set 1..n.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness import rules
from harness.report.stamp import describe, same_checks
from harness.report.verdicts import VERDICT_ORDER, RuleResult, gate_status, tools_not_called

MAX_FINDINGS = 25  # as in a report written by the plugin


class MergeError(ValueError):
    """The reports cannot be merged into one truthful report."""


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from several; raises MergeError when they do not belong together."""
    if not reports:
        raise MergeError("no reports to merge")
    _check_compatible(reports)
    results = merge_results(r.get("rules", []) for r in reports)
    baseline = set().union(*(set(r.get("baseline") or []) for r in reports))
    for result in results:
        result.baseline = result.id in baseline
    gate = gate_status(results, baseline)
    summary = {k: 0 for k in ("pass", "fail", "warn", "skip", "not_verified")}
    for result in results:
        summary[result.verdict] = summary.get(result.verdict, 0) + 1
    durations = [float(r.get("duration_s") or 0.0) for r in reports]
    first = reports[0]
    return {
        "tool": first.get("tool"),
        "shard": None,
        "merged_from": [_origin(r) for r in reports],
        "server": _server(reports),
        "versions": sorted({v for r in results for v in r.by_version if v != "-"}),
        "summary": summary,
        "toolsNotCalled": tools_not_called(results),
        "tests": sum(int(r.get("tests") or 0) for r in reports),
        "duration_s": round(max(durations), 3),
        "duration_total_s": round(sum(durations), 3),
        "gate": gate,
        "slowest_tests": sorted(
            (t for r in reports for t in r.get("slowest_tests") or []),
            key=lambda t: t.get("seconds", 0),
            reverse=True,
        )[:10],
        "baseline": sorted(baseline),
        "rules": [_rule_dict(r) for r in results],
    }


def merge_results(rule_lists: Iterable[list[dict[str, Any]]]) -> list[RuleResult]:
    """Per rule: the worst state per version over all inputs, tests and findings concatenated."""
    merged: dict[str, RuleResult] = {}
    for rule_list in rule_lists:
        for rule in rule_list:
            result = merged.get(rule["id"])
            if result is None:
                result = merged[rule["id"]] = RuleResult(
                    id=rule["id"], level=rule.get("level", "?"), title=rule.get("title", "")
                )
            for version, state in (rule.get("versions") or {}).items():
                old = result.by_version.get(version)
                result.by_version[version] = state if old is None else _worst(old, state)
            result.tests += [t for t in rule.get("tests") or [] if t not in result.tests]
            result.skip_reasons += [s for s in rule.get("skip_reasons") or [] if s not in result.skip_reasons]
            result.findings += rule.get("findings") or []
    for result in merged.values():
        result.verdict = max(result.by_version.values() or ["skip"], key=VERDICT_ORDER.__getitem__)
    order = {rule_id: index for index, rule_id in enumerate(rules.RULES)}
    return sorted(merged.values(), key=lambda r: order.get(r.id, 10**6))


def _worst(a: str, b: str) -> str:
    return a if VERDICT_ORDER.get(a, 0) >= VERDICT_ORDER.get(b, 0) else b


def _check_compatible(reports: list[dict[str, Any]]) -> None:
    for other in reports[1:]:
        if not same_checks(reports[0], other):
            raise MergeError(
                f"reports judged by different checks: {describe(reports[0])} vs {describe(other)}"
            )
    shards = [r.get("shard") for r in reports if r.get("shard")]
    if not shards:
        return
    if len(shards) != len(reports):
        raise MergeError("some reports are shards and some are not: merge one sharded run at a time")
    counts = {s["count"] for s in shards}
    if len(counts) != 1:
        raise MergeError(f"shards of different splits: {sorted(counts)} shards")
    count = counts.pop()
    seen = sorted(s["index"] for s in shards)
    if seen != list(range(1, count + 1)):
        missing = sorted(set(range(1, count + 1)) - set(seen))
        twice = sorted({i for i in seen if seen.count(i) > 1})
        raise MergeError(
            f"incomplete shard set of {count}: missing {missing or '-'}, repeated {twice or '-'}"
        )
    targets = {(r.get("server") or {}).get("command") or (r.get("server") or {}).get("url") for r in reports}
    if len(targets) > 1:
        raise MergeError(f"shards ran against different servers: {sorted(map(str, targets))}")


def _server(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The first report's server, with what any shard learned (versions, serverInfo) filled in."""
    server = dict(reports[0].get("server") or {})
    for report in reports:
        other = report.get("server") or {}
        for key in ("serverInfo", "capabilities", "protocolVersion", "transport"):
            if not server.get(key) and other.get(key):
                server[key] = other[key]
        versions = server.get("protocolVersions") or []
        server["protocolVersions"] = versions + [
            v for v in other.get("protocolVersions") or [] if v not in versions
        ]
    reasons = [(r.get("server") or {}).get("notVerifiedReason") for r in reports]
    server["notVerifiedReason"] = next((r for r in reasons if r), "")
    return server


def _origin(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "shard": report.get("shard"),
        "tests": report.get("tests"),
        "duration_s": report.get("duration_s"),
        "exit_code": (report.get("gate") or {}).get("exit_code"),
    }


def _rule_dict(result: RuleResult) -> dict[str, Any]:
    """The report.json form of a merged rule (as `verdicts.build_report` writes it)."""
    return {
        "id": result.id,
        "level": result.level,
        "title": result.title,
        "verdict": result.verdict,
        "versions": dict(sorted(result.by_version.items())),
        "baseline": result.baseline,
        "tests": result.tests,
        "skip_reasons": result.skip_reasons[:3],
        "findings": result.findings[:MAX_FINDINGS],
    }
