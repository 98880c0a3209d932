"""The short terminal summary printed at the end of a run."""

from __future__ import annotations

from typing import Any

from harness.report.verdicts import not_called_line


def summary_lines(report: dict[str, Any], out_dir: str | None) -> list[str]:
    s = report["summary"]
    gate = report["gate"]
    lines = [
        "",
        "MCP conformance: "
        f"{s['fail']} fail, {s['warn']} warn, {s['pass']} pass, {s['skip']} skip, "
        f"{s['not_verified']} not verified"
        f" over {len(report['rules'])} rules",
    ]
    if report.get("matrix"):  # one run per transport (mcp-harness run --http-url ...): a column each
        from harness.report.matrix import table_lines

        lines += ["  " + line for line in table_lines(report)]
    not_called = not_called_line(report)
    if not_called:
        lines.append(f"  {not_called}")
    for rule in report["rules"]:
        if rule["verdict"] in ("fail", "warn"):
            first = next((f for f in rule["findings"] if f["severity"] == rule["verdict"]), None)
            msg = first["message"].splitlines()[0][:150] if first else ""
            mark = " (baseline)" if rule.get("baseline") else ""
            lines.append(f"  {rule['verdict'].upper():4} {rule['id']:<10} {msg}{mark}")
    if report["server"].get("notVerifiedReason"):
        lines.append(f"  NOT VERIFIED: {report['server']['notVerifiedReason'][:300]}")
    if gate.get("stale_baseline"):
        lines.append(f"  stale baseline entries (now passing): {', '.join(gate['stale_baseline'])}")
    if out_dir:
        lines.append(f"  report: {out_dir}/report.html (also report.json, report.md, junit.xml)")
    lines.append(f"  gate exit code: {gate['exit_code']}")
    return lines
