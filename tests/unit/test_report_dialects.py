"""The client-dialect tables of report.md and report.html, and DIALECT results in report.sarif."""

from __future__ import annotations

from harness.checks import dialects
from harness.report.dialects import client_tables
from harness.report.html import render_html
from harness.report.markdown import render_markdown
from harness.report.sarif import render_sarif
from tests.unit.builders import V4
from tests.unit.reports import make_record, report_of

TOOLS = [
    {"name": "admin.tools.list", "inputSchema": {"type": "object"}},
    {"name": "search", "inputSchema": {"type": "object", "additionalProperties": False, "properties": {}}},
]


def dialect_report() -> dict:
    """The dialect suite's records for TOOLS: DIALECT-01 warns, DIALECT-07 notes, the rest pass."""
    found = {
        "DIALECT-01": dialects.openai_anthropic_names(TOOLS),
        "DIALECT-07": [f for t in TOOLS for f in dialects.openai_strict(t)],
    }
    records = [
        make_record(
            f"suites/test_dialects.py::test_{rule.lower()}",
            [rule],
            V4,
            findings=[f.as_dict() for f in found.get(rule, [])],
        )
        for rule in (f"DIALECT-0{n}" for n in range(1, 9))
    ]
    return report_of(records)


def test_client_tables_name_the_affected_tools_per_client() -> None:
    tables = {t.client: t for t in client_tables(dialect_report())}
    openai = tables["OpenAI (function calling)"]
    assert [(r.rule, r.state, r.tools) for r in openai.rows] == [
        ("DIALECT-01", "warn", ["admin.tools.list"]),
        ("DIALECT-04", "ok", []),
        ("DIALECT-07", "info", ["admin.tools.list"]),
        ("DIALECT-08", "ok", []),
    ]
    assert not openai.accepted and not tables["Anthropic (Claude tool use)"].accepted
    assert tables["Google Gemini (function declarations)"].accepted and tables["Cursor"].accepted


def test_markdown_and_html_show_one_table_per_client() -> None:
    report = dialect_report()
    text = render_markdown(report)
    assert "## Client dialects" in text and "### Anthropic (Claude tool use)" in text
    assert "| DIALECT-01 | function name ^[a-zA-Z0-9_-]{1,64}$ | ⚠️ refused | admin.tools.list |" in text
    assert "| DIALECT-07 | strict mode: closed objects, every property required | ℹ️ needs care |" in text
    page = render_html(report)
    assert '<h2 id="dialects">Client dialects</h2>' in page and page.count('<table class="dialect">') == 4
    assert '<td class="v-warn">refused</td><td>admin.tools.list</td>' in page


def test_no_dialect_section_when_the_dialect_suite_did_not_run() -> None:
    report = report_of([make_record("suites/test_tools.py::test_list", ["TOOL-01"], V4)])
    assert client_tables(report) == []
    assert "Client dialects" not in render_markdown(report) and "Client dialects" not in render_html(report)


def test_sarif_has_the_dialect_warning_with_the_client_doc_but_not_the_info() -> None:
    results = render_sarif(dialect_report())["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("DIALECT-01", "warning")]
    assert results[0]["properties"]["helpUri"].startswith("https://platform.claude.com/")
