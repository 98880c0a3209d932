"""A stable surface and truthful cache hints (SURF-01..03), with the sandbox as the witness.

The lists a client caches (tools, prompts, resources, resource templates) are
read in fresh sessions and twice in one session while the sandbox's backends
stay unchanged, so any difference is the server's own; then the sandbox
publishes a knowledge-base article and a server that declared
`resources.listChanged` must say so. Hints, so findings are WARNs (SURF-*,
harness/checks/surface.py). Skipped without `--sandbox`: without it nobody
knows whether the backends moved between the listings.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.burst import close_all
from harness.checks.surface import (
    CAPABILITY,
    LISTS,
    changed_within_session,
    declares_list_changed,
    differs_across_sessions,
    notified,
    unannounced_change,
)
from harness.protocol.session import Session
from harness.protocol.versions import LATEST_LEGACY, LEGACY_VERSIONS
from suites._support import plain_headers, walk

pytestmark = [pytest.mark.requires_sandbox]

FRESH_SESSIONS = 2
NOTICE_WINDOW = 3.0  # seconds a server gets to announce a change, pinged meanwhile (it may poll on requests)
NOTICE_SLICE = 0.25


def declared_lists(session: Session) -> list[str]:
    caps = session.state.capabilities
    return [method for method in LISTS if CAPABILITY[method] in caps]


def listing(session: Session, method: str) -> tuple[list[Any], Any]:
    """Every item of the list, and the first page's ttlMs (2026-07-28 cache hint) if any."""
    pages = walk(session, method)
    first = pages.pages[0].exchange.result if pages.pages else None
    ttl = first.get("ttlMs") if isinstance(first, dict) else None
    return pages.items, ttl


@pytest.mark.rule("SURF-01")
@pytest.mark.once_per_era("fresh sessions listing the same server")
def test_surf01_fresh_sessions_see_the_same_lists(mcp_connect, verdict, sandbox):
    sessions = [mcp_connect(open=False) for _ in range(FRESH_SESSIONS)]  # spawned together
    for session in sessions:
        session.open(verdict.version)
    methods = declared_lists(sessions[0])
    if not methods:
        pytest.skip("the server declares no tools, prompts or resources")
    before = sandbox.fingerprint()
    listings = {method: [listing(s, method)[0] for s in sessions] for method in methods}
    close_all(sessions)
    if sandbox.changes_since(before):
        pytest.skip("the backends changed while the lists were read: nothing to compare")
    for method, found in listings.items():
        verdict.add(differs_across_sessions(method, found))


@pytest.mark.rule("SURF-02")
def test_surf02_a_list_asked_again_is_the_same(mcp_session, verdict, sandbox):
    methods = declared_lists(mcp_session)
    if not methods:
        pytest.skip("the server declares no tools, prompts or resources")
    before = sandbox.fingerprint()
    for method in methods:
        first, ttl = listing(mcp_session, method)
        mark = len(mcp_session.notifications)
        second, _ = listing(mcp_session, method)
        if sandbox.changes_since(before):
            pytest.skip("the backends changed while the lists were read: nothing to compare")
        announced = notified(mcp_session.notifications[mark:], method)
        verdict.add(changed_within_session(method, first, second, announced, ttl))


@pytest.mark.rule("SURF-03")
@pytest.mark.requires_capability("resources")
def test_surf03_a_new_article_is_announced(mcp_connect, verdict, clean_sandbox):
    version = verdict.version if verdict.version in LEGACY_VERSIONS else LATEST_LEGACY
    if version != verdict.version and LATEST_LEGACY in (verdict.profile.versions or []):
        pytest.skip(f"list_changed is covered on the handshake era only: judged at {LATEST_LEGACY}")
    session = mcp_connect(open=False)
    if not session.open(version).ok:
        pytest.skip(f"list_changed is covered on the handshake era only; the server refused {version}")
    method = "resources/list"
    declared = declares_list_changed(session.state.capabilities, method)
    before, _ = listing(session, method)
    mark = len(session.notifications)
    # over HTTP a change that relates to no request is announced on the standalone GET stream
    from harness.transport.http import StandaloneStream  # httpx: only when the test runs

    stream = (
        StandaloneStream(
            session.http,
            plain_headers(session, "text/event-stream"),
            NOTICE_WINDOW + 1,
            lambda messages: notified(messages, method),
        )
        if session.transport.kind == "http" and declared
        else None
    )
    from sandbox.mutations import publish_article  # psycopg: only when the test runs

    article = publish_article(
        clean_sandbox, "Harness notice: new article", "Published by mcp-harness (SURF-03)."
    )
    change = f"the sandbox published knowledge-base article {article}"

    def announced() -> bool:
        on_get = stream is not None and notified(stream.messages, method)
        return on_get or notified(session.notifications[mark:], method)

    if declared:  # a server may learn of changes only when asked something: ping it meanwhile
        for _ in range(int(NOTICE_WINDOW / NOTICE_SLICE)):
            session.request(session.harmless_method, {})
            if session.wait_until(announced, NOTICE_SLICE) == "done":
                break
    after, _ = listing(session, method)
    if declared and not announced():
        session.settle(NOTICE_SLICE)  # one announced on the re-list itself still counts
    if stream is not None:
        stream.close(NOTICE_SLICE)
    verdict.add(unannounced_change(method, before, after, declared, announced(), change))
