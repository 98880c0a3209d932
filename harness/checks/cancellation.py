"""Cancellation (CANC-01/02/04): pure functions over what came back after a cancel.

Races are allowed: a response that was already on its way when the cancel
arrived is fine, so the suite tries several times and only a response every
time counts. On 2026-07-28 over stdio the server MUST NOT send anything more
for a cancelled request, so progress that keeps coming there is a failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.checks.progress import progress_notifications, same_token, token_of
from harness.checks.registry import check
from harness.findings import Finding, Severity, fail, graded, info, warn
from harness.protocol.exchange import Received

# Progress already on the wire when the cancel arrived is a race, not a failure. The suite
# measures "arrived" by a ping sent right after the cancel: once the ping is answered the
# server has read the cancel, and this long after that a tool's loop has seen it too.
CANCEL_GRACE_SECONDS = 0.2


@check("CANC-01")
def answered_despite_cancel(responses: list[dict[str, Any] | None]) -> list[Finding]:
    """CANC-01: a cancelled request gets no response (SHOULD; WARN only when every try got one).

    `responses` holds, per try, the response that arrived after the cancel (None if none).
    """
    if not responses or any(r is None for r in responses):
        return []
    return [
        warn(
            "CANC-01",
            f"the cancelled request was still answered in all {len(responses)} tries "
            "(the server should stop and send no response)",
            responses[-1] or {},
        )
    ]


@check("CANC-01")
def progress_after_cancel(
    frames: Iterable[Received], token: Any, cancelled_at: float, *, must: bool
) -> list[Finding]:
    """CANC-01: no progress for a cancelled request once the cancel had time to arrive.

    `must` is True on 2026-07-28 over stdio, where any further message for the
    request is forbidden (FAIL); elsewhere continuing work breaks a SHOULD (WARN).
    """
    late = [
        f
        for f in progress_notifications(frames)
        if same_token(token_of(f), token) and f.at > cancelled_at + CANCEL_GRACE_SECONDS
    ]
    if not late:
        return []
    severity: Severity = "fail" if must else "warn"
    what = "the server must send nothing more for it" if must else "the server should stop the work"
    return [
        graded(
            "CANC-01",
            severity,
            f"{len(late)} progress notification(s) for token {token!r} arrived more than "
            f"{CANCEL_GRACE_SECONDS:g}s after the request was cancelled ({what})",
            late[0].message,
        )
    ]


@check("CANC-02")
def cancelled_the_wrong_request(request_id: Any, response: dict[str, Any] | None, what: str) -> list[Finding]:
    """CANC-02: a cancel naming an unknown, finished or malformed id is ignored.

    If the request that was really in flight (`request_id`, never named by a
    valid cancel) got no response, the server acted on the bogus cancel.
    """
    if response is not None:
        return []
    return [
        warn(
            "CANC-02",
            f"request {request_id!r} was never answered after {what}: the server seems to have "
            "cancelled it although no cancel named it (it should ignore such cancels)",
        )
    ]


@check("CANC-04")
def server_sent_cancellations(frames: Iterable[Received], listen_ids: Iterable[Any] = ()) -> list[Finding]:
    """CANC-04 (2026-07-28): the server sends notifications/cancelled only to end a listen stream."""
    allowed = list(listen_ids)
    findings: list[Finding] = []
    for frame in frames:
        message = frame.message
        if not (isinstance(message, dict) and message.get("method") == "notifications/cancelled"):
            continue
        if "id" in message:
            continue  # a request, not a notification: VER-07's business
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        target = params.get("requestId")
        if any(same_token(target, listen_id) for listen_id in allowed):
            continue
        findings.append(
            fail(
                "CANC-04",
                f"server sent notifications/cancelled for request {target!r}, which is not a "
                "subscriptions/listen stream (the only use allowed on 2026-07-28)",
                message,
            )
        )
    return findings[:5]


@check("CANC-01")
def too_quick_to_cancel(name: str, after: float) -> list[Finding]:
    """CANC-01 (INFO): the tool answered before the cancel went out, so the
    rule was not exercised; recorded so a pass does not read as "cancel works"."""
    return [info("CANC-01", f"{name} answered within {after:g}s: too quick to cancel")]
