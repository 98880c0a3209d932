"""Completion checks (COMP-*): pure functions over completion/complete exchanges."""

from __future__ import annotations

from typing import Any

from harness.checks.jsonrpc import expect_error
from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.exchange import Exchange

MAX_VALUES = 100


@check("COMP-01")
def undeclared_but_served(exchange: Exchange, ref: dict[str, Any]) -> list[Finding]:
    """COMP-01 (2025-03-26+): a server that answers completion/complete with a
    result supports completion, so it MUST declare the `completions` capability."""
    if exchange.ok:
        return [
            fail(
                "COMP-01",
                f"completion/complete for {_ref(ref)} was answered with a result, but the server did not "
                "declare the completions capability",
                exchange.response,
            )
        ]
    return []


@check("COMP-01")
def declared_but_not_served(exchange: Exchange, ref: dict[str, Any]) -> list[Finding]:
    """COMP-01 (2025-03-26+): the other half of the declaration. A server that
    declares `completions` says it serves completion/complete, so answering it
    with -32601 (method not found) makes the capability a lie: clients that
    trust it get an error for every keystroke. Any other error is about the
    reference or the argument, COMP-03's business."""
    if exchange.code == -32601:
        return [
            fail(
                "COMP-01",
                f"the server declares the completions capability, but completion/complete for {_ref(ref)} "
                "got -32601 (method not found)",
                exchange.response,
            )
        ]
    return []


@check("COMP-03")
def unsupported_code(exchange: Exchange) -> list[Finding]:
    """COMP-03 (SHOULD): a server without completion support answers -32601.

    A success is COMP-01's business, not reported here.
    """
    if exchange.ok or exchange.code == -32601:
        return []
    return [
        warn(
            "COMP-03",
            f"completion/complete without completion support got {exchange.code!r}, not -32601",
            exchange.response,
        )
    ]


@check("COMP-02")
def complete_result(exchange: Exchange, ref: dict[str, Any], argument: str) -> list[Finding]:
    """COMP-02: a successful completion has `completion.values[]` of strings, at
    most 100 of them, an optional integer `total` and an optional boolean `hasMore`.

    `total` smaller than the number of values sent is inconsistent (WARN, derived).
    """
    what = f"completion/complete {_ref(ref)} argument {argument!r}"
    if not exchange.ok:
        error = exchange.error or {}
        return [info("COMP-02", f"{what} failed ({error.get('code')}: {error.get('message')})")]
    completion = (exchange.result or {}).get("completion")
    if not isinstance(completion, dict):
        return [fail("COMP-02", f"{what}: result has no completion object", exchange.response)]
    values = completion.get("values")
    if not isinstance(values, list):
        return [fail("COMP-02", f"{what}: completion has no values array", exchange.response)]
    findings: list[Finding] = []
    if len(values) > MAX_VALUES:
        findings.append(
            fail(
                "COMP-02",
                f"{what}: {len(values)} values, more than the allowed {MAX_VALUES}",
                {"values": values[:5], "count": len(values)},
            )
        )
    if not all(isinstance(v, str) for v in values):
        findings.append(fail("COMP-02", f"{what}: values are not all strings", {"values": values[:10]}))
    total = completion.get("total")
    if "total" in completion and (isinstance(total, bool) or not isinstance(total, int)):
        findings.append(fail("COMP-02", f"{what}: total {total!r} is not an integer", completion))
    elif isinstance(total, int) and total < len(values):
        findings.append(
            warn(
                "COMP-02",
                f"{what}: total {total} is less than the {len(values)} values sent",
                {"total": total, "count": len(values)},
            )
        )
    if "hasMore" in completion and not isinstance(completion["hasMore"], bool):
        findings.append(
            fail("COMP-02", f"{what}: hasMore {completion['hasMore']!r} is not a boolean", completion)
        )
    return findings


@check("COMP-03")
def invalid_complete(exchange: Exchange, what: str) -> list[Finding]:
    """COMP-03 (SHOULD): an unknown prompt or a missing argument gets -32602 (else WARN)."""
    return expect_error("COMP-03", exchange, -32602, what, no_error_severity="warn")


def _ref(ref: dict[str, Any]) -> str:
    if ref.get("type") == "ref/prompt":
        return f"prompt {ref.get('name')!r}"
    return f"resource {ref.get('uri')!r}"


@check("COMP-03")
def stand_in_reference(ref: dict[str, Any], stand_in: str) -> list[Finding]:
    """COMP-03 (INFO): the server offered no real prompt or template to
    complete, so the probe used the unknown prompt `stand_in`; the error it got
    may be for the name, not for the missing argument."""
    if ref.get("name") != stand_in:
        return []
    return [info("COMP-03", "no real reference to complete; used an unknown prompt")]
