"""Capabilities (CAP-*), on any server.

The plugin already checks every frame of every test for undeclared
list_changed/log notifications and for requests the client never allowed;
these tests make the server busy on purpose (fresh connections, every
family listed, every tool called) so that such frames have a chance to show.
Tools are called with arguments that fail their inputSchema unless
`--mcp-call-tools` allows valid ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import capabilities as checks
from harness.property.examples import safe_arguments
from harness.protocol.session import Session
from suites._support import call_tool, list_tools

LEGACY = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")


def call_every_tool(session: Session, verdict: Any) -> int:
    """Call each listed tool once with safe arguments; returns how many were called."""
    if "tools" not in session.state.capabilities:
        return 0
    tools, _pages = list_tools(session)
    called = 0
    for tool in tools:
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            continue
        arguments = safe_arguments(tool.get("inputSchema"), call_tools=verdict.run.call_tools)
        if arguments is None:
            verdict.add(checks.tool_not_called(tool["name"]))
            continue
        call_tool(session, tool["name"], arguments)
        called += 1
    return called


def list_everything(session: Session) -> None:
    for family, method, key in checks.LIST_METHODS:
        if family in session.state.capabilities:
            for _page in session.list_all(method, key, max_pages=10):
                pass


@pytest.mark.rule("CAP-01")
def test_cap01_declared_families_answer_their_list_call(mcp_session, verdict):
    caps = mcp_session.state.capabilities
    for family, method, key in checks.LIST_METHODS:
        if family in caps:
            verdict.add(checks.declared_family_answers(family, method, key, mcp_session.request(method, {})))


@pytest.mark.rule("CAP-01")
def test_cap01_undeclared_families_are_not_served(mcp_session, verdict):
    caps = mcp_session.state.capabilities
    undeclared = [(family, method) for family, method, _key in checks.LIST_METHODS if family not in caps]
    if not undeclared:
        pytest.skip("the server declares tools, resources and prompts")
    for family, method in undeclared:
        verdict.add(checks.undeclared_family_refused(family, method, mcp_session.request(method, {})))


@pytest.mark.rule("CAP-02")
def test_cap02_no_undeclared_notifications_while_busy(mcp_connect, verdict):
    session = mcp_connect()
    session.settle(0.5)  # what a server sends right after the handshake
    list_everything(session)
    call_every_tool(session, verdict)
    session.settle(0.5)  # the per-frame check judges every notification seen


@pytest.mark.rule("CAP-02")
@pytest.mark.versions(*LEGACY)
@pytest.mark.requires_capability("resources")
def test_cap02_subscribe_only_when_declared(mcp_session, verdict):
    resources = mcp_session.state.capabilities.get("resources")
    if isinstance(resources, dict) and resources.get("subscribe") is True:
        pytest.skip("the server declares resources.subscribe")
    uris = [
        item["uri"]
        for _exchange, page in mcp_session.list_all("resources/list", "resources", max_pages=3)
        for item in page
        if isinstance(item, dict) and isinstance(item.get("uri"), str)
    ]
    if not uris:
        pytest.skip("no resource listed to subscribe to")
    exchange = mcp_session.request("resources/subscribe", {"uri": uris[0]})
    verdict.add(checks.subscribe_without_capability(exchange, mcp_session.state.capabilities))
    if exchange.ok:
        mcp_session.request("resources/unsubscribe", {"uri": uris[0]})


@pytest.mark.rule("CAP-03")
@pytest.mark.versions(*LEGACY)
def test_cap03_no_client_requests_the_client_did_not_declare(mcp_connect, verdict):
    session = mcp_connect(open=False)
    session.initialize(verdict.version, capabilities={})
    session.settle(0.3)
    list_everything(session)
    verdict.add(checks.no_tool_called(call_every_tool(session, verdict)))
    session.settle(0.5)  # sampling/roots/elicitation requests are flagged per frame


@pytest.mark.rule("CAP-04")
def test_cap04_no_log_messages_without_logging(mcp_connect, verdict):
    if "logging" in verdict.profile.capabilities_by_version.get(verdict.version, {}):
        pytest.skip("the server declares logging")  # known from the probe: no process started for nothing
    session = mcp_connect()
    if "logging" in session.state.capabilities:
        pytest.skip("the server declares logging")
    list_everything(session)
    call_every_tool(session, verdict)
    session.settle(0.5)  # notifications/message is flagged per frame


@pytest.mark.rule("CAP-05")
@pytest.mark.versions("2025-11-25")
@pytest.mark.requires_capability("tools")
def test_cap05_task_metadata_ignored_without_tasks(mcp_session, verdict):
    if "tasks" in mcp_session.state.capabilities:
        pytest.skip("the server declares tasks")
    tools, _pages = list_tools(mcp_session)
    for tool in tools:
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            continue
        arguments = safe_arguments(tool.get("inputSchema"), call_tools=verdict.run.call_tools)
        if arguments is None:
            continue
        plain = call_tool(mcp_session, tool["name"], arguments)
        with_task = call_tool(mcp_session, tool["name"], arguments, task={"ttl": 60_000})
        verdict.add(checks.task_metadata_ignored(plain, with_task, mcp_session.state.capabilities))
        return
    pytest.skip("no tool could be called safely")


@pytest.mark.rule("CAP-05")
@pytest.mark.versions("2025-11-25")
@pytest.mark.requires_capability("tasks")
def test_cap05_declared_tasks_are_honoured(mcp_session, verdict):
    verdict.add(
        checks.unknown_task_id(mcp_session.request("tasks/get", {"taskId": "mcp-harness-no-such-task"}))
    )
    if "tools" not in mcp_session.state.capabilities or not verdict.run.call_tools:
        return
    tools, _pages = list_tools(mcp_session)
    for tool in tools:
        execution = tool.get("execution") if isinstance(tool, dict) else None
        if isinstance(execution, dict) and execution.get("taskSupport") == "required":
            arguments = safe_arguments(tool.get("inputSchema"), call_tools=verdict.run.call_tools)
            if arguments is not None:
                exchange = call_tool(mcp_session, tool["name"], arguments)
                verdict.add(checks.task_required_without_task(tool["name"], exchange))


@pytest.mark.rule("CAP-06")
@pytest.mark.versions("2026-07-28")
def test_cap06_capabilities_use_the_2026_shape(mcp_session, verdict):
    verdict.add(checks.modern_capabilities(mcp_session.state.capabilities))
