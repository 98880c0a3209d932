"""report.md: short enough for a pull-request comment."""

from __future__ import annotations

from typing import Any

from harness.report.dialects import client_tables, tools_cell
from harness.report.verdicts import not_called_line

ICON = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "warn": "⚠️ warn",
    "skip": "➖ skip",
    "not_verified": "❔ not verified",
}


def render_markdown(report: dict[str, Any]) -> str:
    server = report["server"]
    info = server.get("serverInfo") or {}
    summary = report["summary"]
    gate = report["gate"]
    lines = [
        "# MCP conformance report",
        "",
        f"- Server: `{server.get('command') or server.get('url')}` "
        f"({info.get('name', '?')} {info.get('version', '')}) over {server.get('transport')}",
        f"- Protocol: {', '.join(report.get('versions') or server.get('protocolVersions') or ['-'])}",
        f"- Result: **{'PASS' if gate['exit_code'] == 0 else 'NOT RUN' if gate['exit_code'] == 2 else 'FAIL'}** "
        f"— {summary['fail']} fail, {summary['warn']} warn, {summary['pass']} pass, {summary['skip']} skip, "
        f"{summary['not_verified']} not verified ({report['tests']} tests, {report['duration_s']} s)",
    ]
    if server.get("notVerifiedReason"):
        lines.append(f"- Not verified: {server['notVerifiedReason']}")
    if not_called_line(report):
        lines.append(f"- {not_called_line(report)}")
    if gate.get("baselined_failures"):
        lines.append(f"- Known failures (baseline): {', '.join(gate['baselined_failures'])}")
    if gate.get("stale_baseline"):
        lines.append(f"- Baseline entries that now pass (remove them): {', '.join(gate['stale_baseline'])}")
    versions = report.get("versions") or []
    lines += [
        "",
        "| Rule | Level | " + " | ".join(versions or ["Verdict"]) + " | Title |",
        "|---|---|" + "---|" * max(1, len(versions)) + "---|",
    ]
    for rule in report["rules"]:
        cells = [ICON.get(rule["versions"].get(v, "-"), "-") for v in versions] or [ICON[rule["verdict"]]]
        lines.append(f"| {rule['id']} | {rule['level']} | " + " | ".join(cells) + f" | {rule['title']} |")
    problems = [r for r in report["rules"] if r["verdict"] in ("fail", "warn")]
    if problems:
        lines += ["", "## Findings", ""]
    for rule in problems:
        lines.append(f"### {rule['id']} ({rule['verdict']}) — {rule['title']}")
        for finding in rule["findings"][:5]:
            if finding["severity"] == "info":
                continue
            lines.append(
                f"- **{finding['severity']}** `{finding.get('test', '')}`: {finding['message'][:400]}"
            )
            if finding.get("failure_file"):
                lines.append(f"  - replay: `mcp-harness replay {finding['failure_file']}`")
        lines.append("")
    lines += dialect_section(report)
    return "\n".join(lines) + "\n"


DIALECT_ICON = {
    "ok": "✅ accepted",
    "warn": "⚠️ refused",
    "info": "ℹ️ needs care",
    "not checked": "➖ not checked",
}


def dialect_section(report: dict[str, Any]) -> list[str]:
    """One table per client (DIALECT rules): would each client take the tools as listed?"""
    tables = client_tables(report)
    if not tables:
        return []
    lines = [
        "",
        "## Client dialects",
        "",
        "Limits from the clients' documentation (docs/dialects.md); never a FAIL.",
        "",
    ]
    for table in tables:
        lines += [f"### {table.client}", "", "| Rule | Limit | Result | Tools |", "|---|---|---|---|"]
        for row in table.rows:
            lines.append(
                f"| {row.rule} | {row.limit} | {DIALECT_ICON[row.state]} | {tools_cell(row) or '-'} |"
            )
        lines.append("")
    return lines
