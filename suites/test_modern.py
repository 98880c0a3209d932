"""The stateless era, 2026-07-28: per-request versioning (VER-*), cache hints
(CACHE-*) and the ban on server-to-client messages that replace MRTR (CANC-04 is in
test_cancellation). Every request carries its version and capabilities in
`params._meta`; requests with a deliberately wrong `_meta` are built by hand.
"""

from __future__ import annotations

import pytest

from harness.checks.modern import (
    cache_hints,
    discover_result,
    extension_ids,
    extensions_declared,
    input_requests_declared,
    input_required_content,
    input_required_seen,
    missing_meta_rejected,
    removed_method,
    same_cache_scope,
    served,
    server_info_in_meta,
    tools_watched,
    unsupported_version_rejected,
)
from harness.protocol.session import META_CAPABILITIES, META_VERSION, Exchange, Session
from suites._support import NO_CALL_TOOLS, all_tools, assume_modern, simple_arguments, slow_call

pytestmark = pytest.mark.era("modern")

LISTS = (
    ("tools", "tools/list", "tools"),
    ("resources", "resources/list", "resources"),
    ("resources", "resources/templates/list", "resourceTemplates"),
    ("prompts", "prompts/list", "prompts"),
)
UNKNOWN_VERSION = "1900-01-01"
TEMPTING_CAPABILITIES = {"sampling": {}, "elicitation": {}, "roots": {}}
MAX_TOOLS_CALLED = 10


def fresh(mcp_connect, version: str) -> Session:
    """A new connection that has never sent server/discover."""
    return assume_modern(mcp_connect(open=False), version)


def declared_lists(session: Session) -> list[tuple[str, str]]:
    """(method, key) of the list methods the server declared a capability for."""
    caps = session.state.capabilities
    return [(method, key) for family, method, key in LISTS if family in caps]


def served_method(session: Session, candidates: tuple[str, ...]) -> str | None:
    """The first of `candidates` the server serves with a complete, correct `_meta`."""
    for method in candidates:
        if session.request(method, {}).ok:
            return method
    return None


def send_with_meta(session: Session, method: str, edit, headers: dict[str, str] | None = None) -> Exchange:
    """Send `method` after `edit(meta)` changed its `_meta` in place; wait for the answer."""
    message = session.request_message(method, {})
    edit(message["params"]["_meta"])
    if not message["params"]["_meta"]:
        del message["params"]["_meta"]
    return session.wait(session.send_request(method, message=message, headers=headers))


# -- VER-01 / VER-02 ---------------------------------------------------------------------
DROPS = {
    "no-protocolVersion": (META_VERSION,),
    "no-clientCapabilities": (META_CAPABILITIES,),
    "no-_meta": None,
}


@pytest.mark.rule("VER-01")
@pytest.mark.parametrize("case", list(DROPS))
def test_ver01_missing_meta_field_gets_32602(mcp_session, verdict, case):
    method = served_method(mcp_session, ("server/discover", "tools/list", "resources/list", "prompts/list"))
    if method is None:
        pytest.skip("no request the server serves even with a complete _meta")
    keys = DROPS[case]

    def drop(meta: dict) -> None:
        for key in list(meta) if keys is None else keys:
            meta.pop(key, None)

    exchange = send_with_meta(mcp_session, method, drop)
    verdict.add(missing_meta_rejected(exchange, f"{method} with {case.replace('no-', 'no ')}"))


@pytest.mark.rule("VER-02")
def test_ver02_unknown_version_gets_32022(mcp_session, verdict):
    method = served_method(mcp_session, ("server/discover", "tools/list", "resources/list", "prompts/list"))
    if method is None:
        pytest.skip("no request the server serves even with a complete _meta")
    headers = {"MCP-Protocol-Version": UNKNOWN_VERSION} if mcp_session.transport.kind == "http" else None
    exchange = send_with_meta(
        mcp_session, method, lambda meta: meta.update({META_VERSION: UNKNOWN_VERSION}), headers
    )
    verdict.add(unsupported_version_rejected(exchange, UNKNOWN_VERSION))


# -- VER-03 / VER-04 / VER-08 --------------------------------------------------------------
@pytest.mark.rule("VER-03")
def test_ver03_discover_result(mcp_connect, verdict):
    session = fresh(mcp_connect, verdict.version)
    verdict.add(discover_result(session.request("server/discover", {}), verdict.version))


@pytest.mark.rule("VER-04")
def test_ver04_results_carry_server_info(mcp_session, verdict):
    lists = declared_lists(mcp_session)
    if not lists:
        pytest.skip("the server declared no tools, resources or prompts: no result besides discover to check")
    for method, _key in lists:
        verdict.add(server_info_in_meta(mcp_session.request(method, {})))


@pytest.mark.rule("VER-08")
def test_ver08_extension_ids_are_prefixed(mcp_session, verdict):
    caps = mcp_session.state.capabilities
    verdict.add(extension_ids(caps), extensions_declared(caps))


# -- VER-05 / VER-07 -----------------------------------------------------------------------
@pytest.mark.rule("VER-05")
def test_ver05_no_discover_needed_and_each_request_stands_alone(mcp_connect, verdict):
    session = fresh(mcp_connect, verdict.version)
    caps = verdict.profile.capabilities_by_version.get(verdict.version, verdict.profile.capabilities)
    method = next((m for family, m, _k in LISTS if family in caps), None)
    if method is None:
        pytest.skip("the server declared no tools, resources or prompts: nothing to call without discover")
    first = session.request(method, {})
    verdict.add(served(first, f"{method} on a fresh connection that never sent server/discover"))
    if not first.ok:
        return
    # Interleave requests whose _meta differ; each must be judged on its own.
    plain = session.send_request(method, session.with_meta({}, **{META_CAPABILITIES: {}}))
    bad = session.send_request(method, session.with_meta({}, **{META_VERSION: UNKNOWN_VERSION}))
    rich = session.send_request(method, session.with_meta({}, **{META_CAPABILITIES: TEMPTING_CAPABILITIES}))
    for exchange in (plain, bad, rich):
        session.wait(exchange)
    verdict.add(served(plain, f"{method} with empty client capabilities, sent beside other requests"))
    verdict.add(served(rich, f"{method} right after a request with an unsupported version"))


@pytest.mark.rule("VER-07")
@pytest.mark.requires_capability("tools")
def test_ver07_no_server_requests_while_tools_run(mcp_connect, verdict):
    if not verdict.run.call_tools:
        pytest.skip(NO_CALL_TOOLS)
    session = mcp_connect(capabilities=TEMPTING_CAPABILITIES)  # tempt a server to ask the client
    called = call_simple_tools(session)
    session.settle(0.3)
    verdict.add(tools_watched(called))
    # Any JSON-RPC request from the server is reported by the per-frame check (VER-07).


def call_simple_tools(session: Session) -> list[Exchange]:
    """Call up to MAX_TOOLS_CALLED tools that plain arguments can satisfy (slow ones briefly)."""
    tools = all_tools(session)
    slow = slow_call(tools, 0.2)
    called: list[Exchange] = []
    for tool in tools:
        args = slow[1] if slow and tool["name"] == slow[0] else simple_arguments(tool.get("inputSchema"))
        if args is None:
            continue
        called.append(session.request("tools/call", {"name": tool["name"], "arguments": args}))
        if len(called) >= MAX_TOOLS_CALLED:
            break
    return called


# -- MRTR -----------------------------------------------------------------------------------
@pytest.mark.rule("MRTR-01", "MRTR-02")
@pytest.mark.requires_capability("tools")
def test_mrtr_input_required_results(mcp_connect, verdict):
    if not verdict.run.call_tools:
        pytest.skip(NO_CALL_TOOLS)
    session = mcp_connect(capabilities={})  # declares nothing: no input request kind is allowed
    called = call_simple_tools(session)
    for exchange in called:
        verdict.add(input_required_content(exchange), input_requests_declared(exchange, {}))
    verdict.add(input_required_seen(called))


# -- VER-09 ---------------------------------------------------------------------------------
REMOVED = {
    "ping": {},
    "logging/setLevel": {"level": "info"},
    "resources/subscribe": {"uri": "mcp-harness://none"},
    "resources/unsubscribe": {"uri": "mcp-harness://none"},
    "tasks/list": {},
}


def test_ver09_removed_methods(mcp_connect, verdict):
    """INFO only (no rule claimed: an INFO rule cannot fail, so no fault can prove it)."""
    session = fresh(mcp_connect, verdict.version)
    for method, params in REMOVED.items():
        verdict.add(removed_method(method, session.request(method, params)))


# -- CACHE ----------------------------------------------------------------------------------
@pytest.mark.rule("CACHE-01")
def test_cache01_cacheable_results_carry_hints(mcp_session, verdict):
    verdict.add(cache_hints(mcp_session.request("server/discover", {})))
    first_uri = None
    for method, key in declared_lists(mcp_session):
        for exchange, items in mcp_session.list_all(method, key):
            verdict.add(cache_hints(exchange))
            if method == "resources/list" and first_uri is None:
                first_uri = next(
                    (i.get("uri") for i in items if isinstance(i, dict) and isinstance(i.get("uri"), str)),
                    None,
                )
    if first_uri is not None:
        verdict.add(cache_hints(mcp_session.request("resources/read", {"uri": first_uri})))


@pytest.mark.rule("CACHE-02")
def test_cache02_pages_share_one_scope(mcp_session, verdict):
    lists = declared_lists(mcp_session)
    if not lists:
        pytest.skip("the server declared no tools, resources or prompts: no paginated list")
    for method, key in lists:
        pages = [exchange for exchange, _items in mcp_session.list_all(method, key)]
        verdict.add(same_cache_scope(pages))
