"""Pagination (PAGE-*) of every list the server declares: tools, prompts,
resources and resource templates, walked to the end with a page cap."""

from __future__ import annotations

import pytest

from harness.checks import pagination as checks
from harness.protocol.session import Session
from suites._support import walk

GARBAGE_CURSOR = "!!not-a-cursor!!"


def _methods(session: Session) -> list[str]:
    """The paginated list methods this server declared (templates/list only if it answers)."""
    caps = session.state.capabilities
    methods = [m for m, cap in checks.CAPABILITY_OF.items() if cap in caps]
    if "resources/templates/list" in methods:
        probe = session.request("resources/templates/list", {})
        if probe.code == -32601:
            methods.remove("resources/templates/list")
    if not methods:
        pytest.skip("the server declares no paginated list (tools, prompts, resources)")
    return methods


@pytest.mark.rule("PAGE-01")
def test_page01_every_list_walks_to_an_end(mcp_session, verdict):
    for method in _methods(mcp_session):
        listing = walk(mcp_session, method)
        verdict.add(checks.walk_ends(listing))
        verdict.add(checks.no_duplicates(listing))


@pytest.mark.rule("PAGE-02")
def test_page02_garbage_cursor_gets_32602(mcp_session, verdict):
    for method in _methods(mcp_session):
        exchange = mcp_session.request(method, {"cursor": GARBAGE_CURSOR})
        verdict.add(checks.garbage_cursor(exchange, method, GARBAGE_CURSOR))


@pytest.mark.rule("PAGE-03")
def test_page03_cursor_gives_the_same_page_twice(mcp_session, verdict):
    tried = 0
    for method in _methods(mcp_session):
        first = mcp_session.request(method, {})
        cursor = (
            (first.result or {}).get("nextCursor") if first.ok and isinstance(first.result, dict) else None
        )
        if cursor is None:
            continue
        tried += 1
        once = mcp_session.request(method, {"cursor": cursor})
        twice = mcp_session.request(method, {"cursor": cursor})
        verdict.add(checks.same_page(method, once, twice, cursor))
    verdict.add(checks.second_page_seen(tried))
