"""report.html: one self-contained page (no external assets) people can read."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from harness import rules
from harness.report.dialects import client_tables, tools_cell
from harness.report.verdicts import not_called_line

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24;background:#fafbfc}
h1{font-size:1.5rem;margin:0 0 .5rem} h2{font-size:1.15rem;margin-top:2rem}
.cards{display:flex;gap:.75rem;margin:1rem 0}.card{padding:.6rem 1rem;border-radius:8px;background:#fff;
box-shadow:0 1px 2px #0002;min-width:6rem}.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:.35rem .6rem;border-bottom:1px solid #e5e7eb;
text-align:left;vertical-align:top}th{background:#f3f4f6;position:sticky;top:0}
.v-pass{color:#137333}.v-fail{color:#c5221f;font-weight:600}.v-warn{color:#b06000;font-weight:600}
.v-skip,.v-not_verified{color:#6b7280}.family td{background:#eef2ff;font-weight:600}
details{margin:.3rem 0}pre{background:#0f172a;color:#e2e8f0;padding:.6rem;border-radius:6px;overflow:auto;
max-height:24rem;font-size:12px}code{background:#eef;padding:0 .2rem;border-radius:3px}
"""


def render_html(report: dict[str, Any]) -> str:
    server = report["server"]
    info = server.get("serverInfo") or {}
    versions = report.get("versions") or []
    s = report["summary"]
    gate = report["gate"]
    status = "PASS" if gate["exit_code"] == 0 else "NOT RUN" if gate["exit_code"] == 2 else "FAIL"
    cards = "".join(
        f'<div class="card v-{k}"><b>{s[k]}</b>{k.replace("_", " ")}</div>'
        for k in ("fail", "warn", "pass", "skip", "not_verified")
    )
    head = "".join(f"<th>{escape(v)}</th>" for v in versions) or "<th>verdict</th>"
    rows = []
    family = None
    for rule in report["rules"]:
        fam = rules.family_of(rule["id"])
        if fam != family:
            family = fam
            rows.append(
                f'<tr class="family"><td colspan="{3 + max(1, len(versions))}">{escape(fam)}</td></tr>'
            )
        cells = "".join(_cell(rule["versions"].get(v, "-")) for v in versions) or _cell(rule["verdict"])
        detail = _findings(rule)
        if rule["verdict"] in ("skip", "not_verified") and rule.get("skip_reasons"):
            reason = rule["skip_reasons"][0].removeprefix("Skipped: ")
            detail += f'<div class="v-skip">{escape(reason[:200])}</div>'

        rows.append(
            f'<tr id="{escape(rule["id"])}"><td><b>{escape(rule["id"])}</b></td><td>{escape(rule["level"])}</td>'
            f"{cells}<td>{escape(rule['title'])}{detail}</td></tr>"
        )
    caps = escape(json.dumps(server.get("capabilities") or {}, indent=2))
    reason = server.get("notVerifiedReason")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>MCP conformance: {escape(info.get("name", "server"))}</title><style>{STYLE}</style></head><body>
<h1>MCP conformance report — <span class="v-{"pass" if status == "PASS" else "fail"}">{status}</span></h1>
<div>Server <code>{escape(str(server.get("command") or server.get("url")))}</code> —
{escape(info.get("name", "?"))} {escape(str(info.get("version", "")))} over {escape(str(server.get("transport")))};
protocol {escape(", ".join(versions) or "-")}; {report["tests"]} tests in {report["duration_s"]} s.</div>
{f'<p class="v-fail">Not verified: {escape(reason)}</p>' if reason else ""}
{f'<p class="v-skip">{escape(not_called_line(report))}</p>' if not_called_line(report) else ""}
<div class="cards">{cards}</div>
<h2>Rules</h2><table id="rules"><thead><tr><th>Rule</th><th>Level</th>{head}<th>Title and findings</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{_dialects(report)}<h2>Declared capabilities</h2><pre>{caps}</pre>
<h2>Timings</h2><table id="timings"><thead><tr><th>test</th><th>seconds</th><th>outcome</th></tr></thead>
<tbody>{_timings(report)}</tbody></table>
<h2>Gate</h2><pre>{escape(json.dumps(gate, indent=2))}</pre>
</body></html>
"""


def _cell(verdict: str) -> str:
    return f'<td class="v-{escape(verdict)}">{escape(verdict.replace("_", " "))}</td>'


def _findings(rule: dict[str, Any]) -> str:
    parts = []
    for finding in rule["findings"][:10]:
        if finding["severity"] == "info" and rule["verdict"] != "pass":
            continue
        transcript = "\n".join(
            json.dumps(f, ensure_ascii=False)[:400] for f in (finding.get("transcript") or [])[-40:]
        )
        replay = finding.get("failure_file")
        parts.append(
            f'<details><summary class="v-{finding["severity"]}">{escape(finding["severity"])}: '
            f"{escape(finding['message'][:300])}</summary>"
            f"<div>test <code>{escape(str(finding.get('test', '')))}</code> at {escape(str(finding.get('version')))}</div>"
            + (f"<div>replay: <code>mcp-harness replay {escape(replay)}</code></div>" if replay else "")
            + (f"<pre>{escape(transcript)}</pre>" if transcript else "")
            + _charts(finding)
            + "</details>"
        )
    return "".join(parts)


def _charts(finding: dict[str, Any]) -> str:
    """Inline SVG charts a finding carries as `{"chart": ...}` evidence (the soak's samples, SLO-01)."""
    from harness.soak.chart import svg_chart

    return "".join(
        svg_chart(item["chart"])
        for item in finding.get("evidence") or []
        if isinstance(item, dict) and isinstance(item.get("chart"), dict)
    )


DIALECT_CLASS = {"ok": "v-pass", "warn": "v-warn", "info": "v-skip", "not checked": "v-skip"}
DIALECT_WORD = {"ok": "accepted", "warn": "refused", "info": "needs care", "not checked": "not checked"}


def _dialects(report: dict[str, Any]) -> str:
    """The client-dialect tables (DIALECT rules), one per client; nothing when none was checked."""
    tables = client_tables(report)
    if not tables:
        return ""
    parts = [
        '<h2 id="dialects">Client dialects</h2><p>Limits from the clients\' documentation; never a FAIL.</p>'
    ]
    for table in tables:
        rows = "".join(
            f'<tr><td><a href="#{escape(row.rule)}">{escape(row.rule)}</a></td><td>{escape(row.limit)}</td>'
            f'<td class="{DIALECT_CLASS[row.state]}">{DIALECT_WORD[row.state]}</td>'
            f"<td>{escape(tools_cell(row)) or '-'}</td></tr>"
            for row in table.rows
        )
        parts.append(
            f'<h3>{escape(table.client)}</h3><table class="dialect"><thead><tr><th>Rule</th><th>Limit</th>'
            f"<th>Result</th><th>Tools</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def _timings(report: dict[str, Any]) -> str:
    return "".join(
        f"<tr><td><code>{escape(t['test'])}</code></td><td>{t['seconds']}</td><td>{escape(t['outcome'])}</td></tr>"
        for t in report.get("slowest_tests") or []
    )
