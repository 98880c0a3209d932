"""One report from one run per transport: the whole product in one table (the main job).

Why not `merge`: merge joins shards of *one* run and refuses reports of different
servers; here the same server is run over stdio and over Streamable HTTP (with its
OAuth protection), which are two targets on purpose. A rule's verdict at a version
is still the worst either transport reached (so the gate is the strictest of both,
and a baseline entry that fails on one transport only is not stale), and `matrix`
keeps every transport's own verdict per version: the columns of the summary.
"""

from __future__ import annotations

from typing import Any

from harness.report.merge import _rule_dict, _server, merge_results
from harness.report.stamp import describe, same_checks
from harness.report.verdicts import gate_status, tools_not_called

SHORT = {"pass": "ok", "fail": "FAIL", "warn": "warn", "skip": "-", "not_verified": "n/v"}


def column(transport: str, version: str) -> str:
    return f"{transport} {version}"


def combine(reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`reports` by transport name (e.g. {"stdio": ..., "http": ...}) -> one report with `matrix`."""
    items = list(reports.items())
    first = items[0][1]
    for name, other in items[1:]:
        if not same_checks(first, other):
            raise ValueError(f"{name} was judged by other checks: {describe(first)} vs {describe(other)}")
    tagged = {name: _tag(name, report) for name, report in items}
    results = merge_results(report["rules"] for report in tagged.values())
    baseline = set().union(*(set(r.get("baseline") or []) for r in reports.values()))
    for result in results:
        result.baseline = result.id in baseline
    summary = {k: 0 for k in ("pass", "fail", "warn", "skip", "not_verified")}
    for result in results:
        summary[result.verdict] = summary.get(result.verdict, 0) + 1
    columns = [column(name, v) for name, report in items for v in report.get("versions") or []]
    matrix: dict[str, dict[str, str]] = {}
    for name, report in items:
        for rule in report.get("rules") or []:
            for version, state in (rule.get("versions") or {}).items():
                if version != "-":
                    matrix.setdefault(rule["id"], {})[column(name, version)] = state
    server = _server([r for _, r in items])
    server["transport"] = " + ".join(name for name, _ in items)
    server["targets"] = {name: _target(report) for name, report in items}
    return {
        "tool": first.get("tool"),
        "shard": None,
        "transports": [name for name, _ in items],
        "server": server,
        "versions": sorted({v for r in results for v in r.by_version if v != "-"}),
        "columns": columns,
        "matrix": matrix,
        "summary": summary,
        "toolsNotCalled": tools_not_called(results),
        "tests": sum(int(r.get("tests") or 0) for r in reports.values()),
        "duration_s": round(max(float(r.get("duration_s") or 0) for r in reports.values()), 3),
        "gate": gate_status(results, baseline),
        "slowest_tests": sorted(
            (dict(t, transport=name) for name, r in items for t in r.get("slowest_tests") or []),
            key=lambda t: t.get("seconds", 0),
            reverse=True,
        )[:10],
        "baseline": sorted(baseline),
        "rules": [_rule_dict(r) for r in results],
    }


def _tag(name: str, report: dict[str, Any]) -> dict[str, Any]:
    """The report with each finding and skip reason saying which transport it came from."""
    rules = []
    for rule in report.get("rules") or []:
        rule = dict(rule)
        rule["findings"] = [dict(f, transport=name) for f in rule.get("findings") or []]
        rule["skip_reasons"] = [f"{name}: {s}" for s in rule.get("skip_reasons") or []]
        rules.append(rule)
    return dict(report, rules=rules)


def _target(report: dict[str, Any]) -> dict[str, Any]:
    server = report.get("server") or {}
    return {k: server.get(k) for k in ("command", "url", "protocolVersions", "notVerifiedReason")}


def table_lines(report: dict[str, Any], width: int = 8) -> list[str]:
    """The summary table: verdict counts per column, then each rule that failed or warned somewhere."""
    columns: list[str] = report.get("columns") or []
    matrix: dict[str, dict[str, str]] = report.get("matrix") or {}
    if not columns:
        return []
    heads = [c.split(" ", 1) for c in columns]
    label = 12
    lines = [
        " " * label + " ".join(t[:width].ljust(width) for t, _ in heads),
        " " * label + " ".join(v[2:].ljust(width) for _, v in heads),  # 2025-11-25 -> 25-11-25
    ]
    for verdict in ("pass", "warn", "fail", "skip"):
        counts = [sum(1 for cells in matrix.values() if cells.get(c) == verdict) for c in columns]
        lines.append(f"{verdict:<{label}}" + " ".join(str(n).ljust(width) for n in counts))
    for rule in report.get("rules") or []:
        cells = matrix.get(rule["id"], {})
        if any(cells.get(c) in ("fail", "warn") for c in columns):
            mark = " (baseline)" if rule.get("baseline") else ""
            row = " ".join(SHORT.get(cells.get(c, ""), "").ljust(width) for c in columns)
            lines.append(f"{rule['id']:<{label}}{row}{mark}")
    return lines
