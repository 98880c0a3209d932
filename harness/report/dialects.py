"""The per-client view of the DIALECT rules: one table per client, for report.md and report.html.

The rule table says "DIALECT-07 pass" even when the rule left INFO findings
(INFO never changes a verdict); a reader choosing a client wants the other
view: for OpenAI, which of my tools would be refused or need rewriting? Each
client lists the DIALECT rules that encode its documented limits
(docs/dialects.md), and each row the tools the findings name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CLIENTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "OpenAI (function calling)",
        (
            ("DIALECT-01", "function name ^[a-zA-Z0-9_-]{1,64}$"),
            ("DIALECT-04", "at most 128 functions per request"),
            ("DIALECT-07", "strict mode: closed objects, every property required"),
            ("DIALECT-08", "strict mode: 10 nesting levels, 5000 properties, 1000 enum values"),
        ),
    ),
    ("Anthropic (Claude tool use)", (("DIALECT-01", "tool name ^[a-zA-Z0-9_-]{1,64}$"),)),
    (
        "Google Gemini (function declarations)",
        (
            ("DIALECT-02", "name: a letter or _ first, then [a-zA-Z0-9_.:-], at most 64"),
            ("DIALECT-05", "no $ref / $defs in parameters or response"),
            ("DIALECT-06", "one type per schema, no boolean subschemas"),
        ),
    ),
    ("Cursor", (("DIALECT-03", "server name + tool name at most 60 characters"),)),
)


@dataclass
class ClientRow:
    rule: str
    limit: str
    state: str  # "ok", "warn", "info" or "not checked"
    tools: list[str] = field(default_factory=list)


@dataclass
class ClientTable:
    client: str
    rows: list[ClientRow]

    @property
    def accepted(self) -> bool:
        return all(row.state in ("ok", "not checked") for row in self.rows)


def client_tables(report: dict[str, Any]) -> list[ClientTable]:
    """One table per client; empty when the run did not check any DIALECT rule."""
    by_id = {r["id"]: r for r in report.get("rules", []) if r["id"].startswith("DIALECT-")}
    if not by_id:
        return []
    tables = []
    for client, limits in CLIENTS:
        rows = [_row(by_id.get(rule), rule, limit) for rule, limit in limits]
        tables.append(ClientTable(client, rows))
    return tables


def _row(rule: dict[str, Any] | None, rule_id: str, limit: str) -> ClientRow:
    if rule is None or rule.get("verdict") in ("skip", "not_verified"):
        return ClientRow(rule_id, limit, "not checked")
    found = [f for f in rule.get("findings", []) if f.get("severity") in ("warn", "info")]
    if not found:
        return ClientRow(rule_id, limit, "ok")
    state = "warn" if any(f["severity"] == "warn" for f in found) else "info"
    tools = [
        str(e["tool"]) for f in found for e in f.get("evidence") or [] if isinstance(e, dict) and "tool" in e
    ]
    return ClientRow(rule_id, limit, state, list(dict.fromkeys(tools)))


def tools_cell(row: ClientRow, shown: int = 6) -> str:
    """The affected tools, `*` meaning the whole listing, shortened past `shown`."""
    names = ["(all tools)" if t == "*" else t for t in row.tools]
    text = ", ".join(names[:shown])
    return text + (f" (+{len(names) - shown})" if len(names) > shown else "")
