"""JSON-RPC base checks (RPC-*): pure functions over exchanges and frames."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, graded, info, warn
from harness.protocol.exchange import Exchange, Received
from harness.protocol.versions import V3


@check("RPC-01")
def envelope(message: Any) -> list[Finding]:
    """RPC-01/03/04: the frame is JSON-RPC 2.0, a response has exactly one of
    result/error, result is an object, error has an integer code and a string message."""
    if not isinstance(message, dict):
        return [fail("RPC-01", f"frame is not a JSON object: {_short(message)}", message)]
    findings: list[Finding] = []
    if message.get("jsonrpc") != "2.0":
        findings.append(fail("RPC-01", f'"jsonrpc" is {message.get("jsonrpc")!r}, not "2.0"', message))
    if "method" in message:
        return findings
    has_result, has_error = "result" in message, "error" in message
    if has_result == has_error:
        what = "both result and error" if has_result else "neither result nor error"
        findings.append(fail("RPC-03", f"response has {what}", message))
    elif has_result and not isinstance(message["result"], dict):
        findings.append(fail("RPC-03", f"result is not an object: {_short(message['result'])}", message))
    if has_error:
        error = message["error"]
        if not isinstance(error, dict):
            findings.append(fail("RPC-04", f"error is not an object: {_short(error)}", message))
        else:
            code = error.get("code")
            if not isinstance(code, int) or isinstance(code, bool):
                findings.append(fail("RPC-04", f"error.code is not an integer: {code!r}", message))
            if not isinstance(error.get("message"), str):
                findings.append(
                    fail("RPC-04", f"error.message is not a string: {error.get('message')!r}", message)
                )
    return findings


@check("RPC-02")
def id_echo(exchange: Exchange) -> list[Finding]:
    """RPC-02: the response id equals the request id, with the same JSON type."""
    if exchange.response is None or exchange.matched_by_post or exchange.mis_encoded:
        return []  # an HTTP refusal with id null answers its own POST: no id to compare
    sent, got = exchange.request.get("id"), exchange.response.get("id")
    error = exchange.response.get("error")
    if got is None and isinstance(error, dict) and error.get("code") in (-32700, -32600):
        return []  # JSON-RPC answers what it could not parse or validate with id null (RPC-08 note)
    if exchange.loose_match or type(sent) is not type(got) or sent != got:
        return [
            fail(
                "RPC-02",
                f"request id {sent!r} ({type(sent).__name__}) answered with id {got!r} "
                f"({type(got).__name__})",
                exchange.request,
                exchange.response,
            )
        ]
    return []


@check("RPC-02")
def phantom_responses(unmatched: list[dict[str, Any]]) -> list[Finding]:
    """RPC-02 (decision): a response to an id never sent, or sent a second time."""
    return [
        fail("RPC-02", f"response with id {m.get('id')!r} matches no request in flight", m)
        for m in unmatched
        if m.get("id") is not None
    ]


@check("RPC-08")
def expect_error(
    rule: str,
    exchange: Exchange | None,
    expected: int | tuple[int, ...],
    what: str,
    *,
    no_error_severity: str = "fail",
    wrong_code_severity: str = "warn",
) -> list[Finding]:
    """RPC-08..11 grading: no error at all -> FAIL; another code -> WARN."""
    codes = (expected,) if isinstance(expected, int) else expected
    want = " or ".join(str(c) for c in codes)
    if exchange is None or exchange.response is None:
        failure = f" ({exchange.failure})" if exchange is not None and exchange.failure else ""
        return [graded(rule, no_error_severity, f"{what}: no error response{failure}; expected {want}")]  # type: ignore[arg-type]
    if exchange.error is None:
        return [
            graded(
                rule,
                no_error_severity,
                f"{what}: answered with a result, expected error {want}",
                exchange.response,
            )  # type: ignore[arg-type]
        ]
    if exchange.code not in codes:
        return [
            graded(
                rule,
                wrong_code_severity,  # type: ignore[arg-type]
                f"{what}: error code {exchange.code!r}, expected {want}",
                exchange.response,
            )
        ]
    return []


def error_reply(rule: str, reply: dict[str, Any] | None, expected: int, what: str) -> list[Finding]:
    """Like expect_error, for replies to frames sent raw (no Exchange to match)."""
    if reply is None:
        return [fail(rule, f"{what}: no error response; expected {expected}")]
    error = reply.get("error")
    if not isinstance(error, dict):
        return [fail(rule, f"{what}: answered without an error; expected {expected}", reply)]
    if error.get("code") != expected:
        return [warn(rule, f"{what}: error code {error.get('code')!r}, expected {expected}", reply)]
    return []


@check("RPC-05")
def no_reply(rule: str, replies: list[dict[str, Any]], what: str) -> list[Finding]:
    """RPC-05: nothing may answer a notification."""
    return [fail(rule, f"{what}: the server replied to a notification", r) for r in replies]


@check("RPC-07")
def null_id_rejected(reply: dict[str, Any] | None) -> list[Finding]:
    """RPC-07 (derived, WARN): a request whose id is null is rejected with
    -32600 Invalid Request, not processed.

    MCP forbids null ids and JSON-RPC calls such a request invalid, but no
    MCP text says what the server must do, so every miss is a WARN. `reply`
    is the id-null response the suite waited for, None if none came."""
    if reply is None:
        return [warn("RPC-07", "request with id null got no -32600 reply")]
    if "result" in reply:
        return [warn("RPC-07", "request with id null was processed instead of rejected with -32600", reply)]
    code = (reply.get("error") or {}).get("code")
    if code != -32600:
        return [warn("RPC-07", f"id null rejected with code {code}, not -32600", reply)]
    return []


@check("RPC-12")
def batch_accepted(exchanges: list[Exchange]) -> list[Finding]:
    """RPC-12 (2025-03-26, MUST): a batch of requests is accepted and each
    request in it gets its own successful response."""
    missing = [e.id for e in exchanges if e.response is None]
    if missing:
        return [fail("RPC-12", f"batch of two pings: no response for ids {missing}")]
    if not all(e.ok for e in exchanges):
        return [fail("RPC-12", "batch of two pings was rejected", *[e.response for e in exchanges])]
    return []


@check("RPC-12")
def batch_rejected(
    exchanges: list[Exchange], reply: dict[str, Any] | None, received: Iterable[Received]
) -> list[Finding]:
    """RPC-12 (from 2025-06-18, stdio): batching was removed, so a batch is
    refused with an error (a single -32600 is right), not processed.

    WARN only: on stdio the removal is derived (the catalogue's stdio level is
    SHOULD); HTTP has its own check (`http.batch_refused`). `reply` is an
    id-null error that came back, `received` every frame since the batch went
    out, kept as evidence when nothing answered."""
    answered = [e for e in exchanges if e.response is not None]
    if answered and all(e.ok for e in answered):
        return [warn("RPC-12", f"a batch was processed although batching was removed in {V3}")]
    if reply is None and not answered:
        evidence = [r.message for r in received]
        return [warn("RPC-12", "a batch got no error reply (expected a single -32600)", *evidence)]
    return []


@check("RPC-14")
def meta_sampled(results: Iterable[dict[str, Any] | None]) -> list[Finding]:
    """RPC-14 (INFO): say so when none of the sampled responses carried
    `result._meta`, so a pass is not read as "the grammar was checked"."""
    for response in results:
        result = response.get("result") if isinstance(response, dict) else None
        if isinstance(result, dict) and isinstance(result.get("_meta"), dict):
            return []
    return [info("RPC-14", "no _meta in the sampled results")]


def note(rule: str, message: str, *evidence: Any) -> Finding:
    return info(rule, message, *evidence)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 120 else text[:117] + "..."
