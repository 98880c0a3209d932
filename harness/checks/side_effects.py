"""SIDE-01..04: what a request changed in the sandbox, against what it promised.

Pure functions over exchanges whose `changes` the oracle filled in. Hints are
untrusted by design (TOOL-08): here they are held to account.
"""

from __future__ import annotations

from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.exchange import Exchange

# Methods that must never change backend state (SIDE-02).
READ_METHODS = {
    "tools/list",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "ping",
    "logging/setLevel",
    "server/discover",
}
# Operations that are not "only adding" (SIDE-03).
DESTRUCTIVE_OPERATIONS = {"UPDATE", "DELETE", "TRUNCATE", "DROP", "ALTER", "DDL", "EDIT", "PUT", "TRANSITION"}


def describe(changes: list[Any]) -> str:
    parts = []
    for change in changes[:8]:
        detail = f" {change.detail}" if getattr(change, "detail", "") else ""
        parts.append(f"{change.backend}: {change.operation} {change.what} x{change.count}{detail}")
    more = f" (+{len(changes) - 8} more)" if len(changes) > 8 else ""
    return "; ".join(parts) + more


def side_effects(exchange: Exchange, tools: dict[str, dict[str, Any]]) -> list[Finding]:
    """Judge one exchange's observed changes."""
    if not exchange.changes:
        return []
    method = exchange.method
    changes = exchange.changes
    if method in READ_METHODS:
        return [fail("SIDE-02", f"{method} changed backend state: {describe(changes)}", exchange.request)]
    if method != "tools/call":
        return []
    params = exchange.request.get("params") if isinstance(exchange.request.get("params"), dict) else {}
    name = params.get("name")
    annotations = (tools.get(name) or {}).get("annotations") or {}
    if annotations.get("readOnlyHint") is True:
        return [
            fail(
                "SIDE-01",
                f"tool {name!r} is annotated readOnlyHint: true but changed backend state: "
                f"{describe(changes)}",
                exchange.request,
            )
        ]
    if annotations.get("destructiveHint") is False:
        created = created_in(changes)
        destructive = [c for c in changes if _destructive(c, created)]
        if destructive:
            return [
                fail(
                    "SIDE-03",
                    f"tool {name!r} is annotated destructiveHint: false but did more than add: "
                    f"{describe(destructive)}",
                    exchange.request,
                )
            ]
    return []


def created_in(changes: list[Any]) -> set[str]:
    """The objects these changes created (CREATE TABLE / SEQUENCE / INDEX ...)."""
    return {
        str(c.what)
        for c in changes
        if str(getattr(c, "operation", "")).upper() == "DDL"
        and str(getattr(c, "detail", "")).upper().startswith("CREATE")
    }


def _destructive(change: Any, created: frozenset[str] | set[str] = frozenset()) -> bool:
    """More than adding: changing or removing something that existed before the call.

    Creating is adding: a new table, its sequence and its primary-key index are
    new objects, and what the same call then does to them (PostgreSQL's
    ALTER SEQUENCE ... OWNED BY, rows inserted, even updated) touches nothing that
    was there before. ALTER/DROP/TRUNCATE of older objects, UPDATE and DELETE of
    older rows, and edits of existing Jira issues are not additive.
    """
    operation = str(getattr(change, "operation", "")).upper()
    if str(getattr(change, "what", "")) in created:
        return False
    if operation == "DDL" and str(getattr(change, "detail", "")).upper().startswith("CREATE"):
        return False
    return any(word in operation for word in DESTRUCTIVE_OPERATIONS)


ADDING_OPERATIONS = ("INSERT", "CREATE", "POST")  # what "added more" means in a backend's change log


@check("SIDE-03")
def not_exercised(name: str, why: Any) -> list[Finding]:
    """SIDE-03 (INFO): a tool that could not be given valid arguments was not
    called, so what it changes stays unseen."""
    return [info("SIDE-03", f"tool {name!r} not exercised: {why}")]


@check("SIDE-04")
def second_call_added(name: str, changes: list[Any]) -> list[Finding]:
    """SIDE-04 (SHOULD): a tool annotated idempotentHint: true adds nothing on a
    second identical call. `changes` is what the backends saw change after the
    first call; only additions count, an update that repeats is idempotent."""
    added = [c for c in changes if any(op in str(c.operation).upper() for op in ADDING_OPERATIONS)]
    if not added:
        return []
    return [
        warn(
            "SIDE-04",
            f"tool {name!r} is annotated idempotentHint: true, but a second identical call "
            f"added more: {describe(added)}",
        )
    ]
