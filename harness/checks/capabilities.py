"""Capability checks (CAP-*): pure functions over capabilities and exchanges.

The per-frame checks of `harness/checks/frames.py` already flag, on every
test, list_changed and log notifications the server did not declare (CAP-02,
CAP-04) and requests for client capabilities the client did not declare
(CAP-03). The functions here judge the answers to probes a suite makes on
purpose.
"""

from __future__ import annotations

from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.exchange import Exchange

LIST_METHODS: tuple[tuple[str, str, str], ...] = (
    ("tools", "tools/list", "tools"),
    ("resources", "resources/list", "resources"),
    ("prompts", "prompts/list", "prompts"),
)


@check("CAP-01")
def declared_family_answers(family: str, method: str, key: str, exchange: Exchange) -> list[Finding]:
    """CAP-01: a family the server declared answers its list call with a
    result that holds the list."""
    if exchange.response is None:
        return [
            fail("CAP-01", f"{family} is declared but {method} got no JSON-RPC response ({exchange.failure})")
        ]
    if exchange.error is not None:
        return [
            fail(
                "CAP-01",
                f"{family} is declared but {method} answered error {exchange.code!r}: "
                f"{str(exchange.error.get('message'))[:120]}",
                exchange.response,
            )
        ]
    if not isinstance((exchange.result or {}).get(key), list):
        return [
            fail(
                "CAP-01",
                f"{family} is declared but the {method} result has no `{key}` array",
                exchange.response,
            )
        ]
    return []


@check("CAP-01")
def undeclared_family_refused(family: str, method: str, exchange: Exchange) -> list[Finding]:
    """CAP-01 (derived, WARN): a family the server did not declare should be
    refused (-32601 in the spec's example), not served."""
    if exchange.ok:
        return [
            warn(
                "CAP-01", f"{family} is not declared, yet {method} answered with a result", exchange.response
            )
        ]
    return []


@check("CAP-02")
def subscribe_without_capability(exchange: Exchange, capabilities: dict[str, Any]) -> list[Finding]:
    """CAP-02 (WARN): `resources/subscribe` is used only when the server
    declared `resources.subscribe: true`; accepting it otherwise is a WARN."""
    resources = capabilities.get("resources")
    if isinstance(resources, dict) and resources.get("subscribe") is True:
        return []
    if exchange.ok:
        return [
            warn(
                "CAP-02",
                "resources/subscribe succeeded although resources.subscribe is not declared",
                exchange.response,
            )
        ]
    return []


def outcome(exchange: Exchange) -> str:
    """How a tools/call was answered: error, tool-error, task or success."""
    if exchange.response is None:
        return "no answer"
    if exchange.error is not None:
        return f"error {exchange.code!r}"
    result = exchange.result if isinstance(exchange.result, dict) else {}
    if "task" in result and "content" not in result:
        return "task"
    return "tool-error" if result.get("isError") is True else "success"


@check("CAP-05")
def task_metadata_ignored(
    plain: Exchange, with_task: Exchange, capabilities: dict[str, Any]
) -> list[Finding]:
    """CAP-05 (2025-11-25): a server that did not declare `tasks` ignores
    task metadata and processes the request normally, so `tools/call` with
    `task` is answered as the same call without it."""
    if "tasks" in capabilities:
        return []
    before, after = outcome(plain), outcome(with_task)
    if after == "task":
        return [
            fail(
                "CAP-05",
                "tools/call with task metadata created a task, but tasks is not declared",
                with_task.response,
            )
        ]
    if before != after:
        return [
            fail(
                "CAP-05",
                f"tools/call with task metadata was answered with {after}, the same call without it with "
                f"{before} (a server without the tasks capability must ignore task metadata)",
                with_task.request,
                with_task.response,
            )
        ]
    return []


@check("CAP-05")
def unknown_task_id(exchange: Exchange) -> list[Finding]:
    """CAP-05 (2025-11-25): `tasks/get` for an unknown taskId gets -32602."""
    if exchange.error is None:
        return [fail("CAP-05", "tasks/get with an unknown taskId did not get an error", exchange.response)]
    if exchange.code != -32602:
        return [
            warn(
                "CAP-05",
                f"tasks/get with an unknown taskId got error {exchange.code!r}, not -32602",
                exchange.response,
            )
        ]
    return []


@check("CAP-05")
def task_required_without_task(tool_name: str, exchange: Exchange) -> list[Finding]:
    """CAP-05 (2025-11-25): a tool whose `execution.taskSupport` is "required",
    called without a task, gets -32601."""
    if exchange.code != -32601:
        return [
            fail(
                "CAP-05",
                f"tool {tool_name!r} requires tasks, but a call without one got {outcome(exchange)} "
                "instead of error -32601",
                exchange.response,
            )
        ]
    return []


@check("CAP-06")
def modern_capabilities(capabilities: dict[str, Any]) -> list[Finding]:
    """CAP-06 (2026-07-28, INFO): `ServerCapabilities` gained `extensions`
    (ids in the `_meta` key grammar with a mandatory prefix) and lost `tasks`,
    which became the `io.modelcontextprotocol/tasks` extension."""
    from harness.checks.meta import KEY

    findings: list[Finding] = []
    if "tasks" in capabilities:
        findings.append(
            info(
                "CAP-06",
                "capabilities.tasks is not part of 2026-07-28; task support is the extension "
                "io.modelcontextprotocol/tasks under capabilities.extensions",
                capabilities,
            )
        )
    extensions = capabilities.get("extensions")
    if isinstance(extensions, dict):
        for key in extensions:
            if "/" not in key or not KEY.match(key):
                findings.append(
                    info(
                        "CAP-06",
                        f"extension id {key!r} is not a prefixed _meta-style key (see VER-08)",
                        capabilities,
                    )
                )
    return findings


@check("CAP-03")
def tool_not_called(name: str) -> list[Finding]:
    """CAP-03 (INFO): a listed tool was not called because no safe arguments
    could be built, so any request it would have made stays unseen."""
    return [info("CAP-03", f"tool {name!r} not called: no safe arguments could be built")]


@check("CAP-03")
def no_tool_called(called: int) -> list[Finding]:
    """CAP-03 (INFO): with no tool called, only list requests had the chance to
    make the server ask the client for something; say so."""
    if called:
        return []
    return [info("CAP-03", "no tool was called (none listed, or none callable safely)")]
