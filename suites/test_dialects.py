"""Client dialects (DIALECT-*): each listed tool against the documented limits of major clients.

Only `tools/list` is sent (every page); nothing is called. Findings are WARN
or INFO, never FAIL: the protocol allows everything judged here, but a client
that rejects or renames the tool makes it unusable there. docs/dialects.md
names the source of every limit; the report has a table per client.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import dialects as checks
from harness.protocol.session import Session

pytestmark = pytest.mark.requires_capability("tools")

# Pages walked at most: DIALECT-04 counts past 128 tools even at one tool per page
# (the session's default of 50 pages would stop a 2-per-page listing at 100).
MAX_PAGES = 500


def listed(session: Session) -> list[dict[str, Any]]:
    """The tools the server lists (every page); skip when it cannot list them (CAP-01 says why)."""
    tools: list[Any] = []
    for exchange, items in session.list_all("tools/list", "tools", max_pages=MAX_PAGES):
        if not exchange.ok:
            pytest.skip("tools/list did not answer with a result (reported under CAP-01)")
        tools.extend(items)
    return [t for t in tools if isinstance(t, dict)]


@pytest.mark.rule("DIALECT-01")
def test_dialect01_names_fit_openai_and_anthropic(mcp_session, verdict):
    verdict.add(checks.openai_anthropic_names(listed(mcp_session)))


@pytest.mark.rule("DIALECT-02")
def test_dialect02_names_fit_gemini(mcp_session, verdict):
    verdict.add(checks.gemini_names(listed(mcp_session)))


@pytest.mark.rule("DIALECT-03")
def test_dialect03_server_and_tool_name_fit_cursor(mcp_session, verdict):
    name = str((verdict.profile.server_info or {}).get("name") or "")
    verdict.add(checks.cursor_name_length(listed(mcp_session), name))


@pytest.mark.rule("DIALECT-04")
def test_dialect04_tool_count_fits_openai(mcp_session, verdict):
    verdict.add(checks.tool_count(listed(mcp_session)))


@pytest.mark.rule("DIALECT-05")
def test_dialect05_schemas_have_no_references_for_gemini(mcp_session, verdict):
    for tool in listed(mcp_session):
        verdict.add(checks.gemini_references(tool))


@pytest.mark.rule("DIALECT-06")
def test_dialect06_schemas_have_single_types_for_gemini(mcp_session, verdict):
    for tool in listed(mcp_session):
        verdict.add(checks.gemini_types(tool))


@pytest.mark.rule("DIALECT-07")
def test_dialect07_input_schemas_are_openai_strict_ready(mcp_session, verdict):
    for tool in listed(mcp_session):
        verdict.add(checks.openai_strict(tool))


@pytest.mark.rule("DIALECT-08")
def test_dialect08_input_schemas_fit_openai_limits(mcp_session, verdict):
    for tool in listed(mcp_session):
        verdict.add(checks.openai_limits(tool))
