"""Secrets and internals in what the server says (SEC-01/02).

Every frame of every test is scanned (harness/checks/secrets.py) for the
sandbox's canaries, per-run passwords and the server's secret-looking
environment values; these tests provoke the messages most likely to leak:
errors from bad arguments, unknown names, missing resources and, with
`--mcp-call-tools`, real calls.
"""

from __future__ import annotations

import pytest

from harness.property.examples import NoExample, quick_overrides, valid_arguments

WRONG = {"__mcp_harness_unexpected__": {"nested": [None, -1, "' OR 1=1 --"]}}


@pytest.mark.rule("SEC-01", "SEC-02")
@pytest.mark.once_per_era("secrets in errors and results")
def test_sec_errors_and_results_leak_nothing(mcp_session, verdict):
    caps = mcp_session.state.capabilities
    if "tools" in caps:
        tools = []
        for _exchange, page in mcp_session.list_all("tools/list", "tools"):
            tools.extend(t for t in page if isinstance(t, dict) and isinstance(t.get("name"), str))
        for tool in tools:
            quick = quick_overrides(tool.get("inputSchema"))  # a slow tool that runs anyway runs short
            mcp_session.request("tools/call", {"name": tool["name"], "arguments": {**quick, **WRONG}})
            if verdict.run.call_tools:
                try:
                    mcp_session.request(
                        "tools/call",
                        {"name": tool["name"], "arguments": valid_arguments(tool.get("inputSchema"))},
                    )
                except NoExample:
                    pass
        mcp_session.request("tools/call", {"name": "__mcp_harness_no_such_tool__", "arguments": {}})
    if "resources" in caps:
        mcp_session.request("resources/read", {"uri": "mcp-harness://does-not-exist/sec"})
    if "prompts" in caps:
        mcp_session.request("prompts/get", {"name": "__mcp_harness_no_such_prompt__", "arguments": {}})
