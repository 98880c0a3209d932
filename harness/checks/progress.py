"""Progress notifications (PROG-01..03): pure functions over what one call received.

A suite sends a request carrying `_meta.progressToken`, records every frame
that arrived while it was in flight and for a while after its response, and
hands them here. Tokens are compared with their JSON type: `7` and `"7"` are
different tokens (the type match is derived, so a coerced token is WARN).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.exchange import Received

PROGRESS = "notifications/progress"


@dataclass(frozen=True)
class ProgressCall:
    """One request that asked for progress: its token and when its response arrived."""

    token: Any
    request_id: Any
    answered_at: float | None  # monotonic time of the final response, None if never answered


def progress_notifications(frames: Iterable[Received]) -> list[Received]:
    """The notifications/progress frames among `frames`, in arrival order."""
    return [
        f
        for f in frames
        if isinstance(f.message, dict) and f.message.get("method") == PROGRESS and "id" not in f.message
    ]


def token_of(frame: Received) -> Any:
    params = frame.message.get("params")
    return params.get("progressToken") if isinstance(params, dict) else None


def same_token(a: Any, b: Any) -> bool:
    """Equal with the same JSON type (True is not 1, 7 is not "7")."""
    return type(a) is type(b) and a == b


@check("PROG-01")
def unknown_tokens(frames: Iterable[Received], sent_tokens: Iterable[Any]) -> list[Finding]:
    """PROG-01: every progress notification names a token one of our requests carried.

    A token equal to one we sent except for its JSON type ("7" for 7) is a
    coerced token (derived rule: WARN); any other token is one the client never
    gave out (FAIL).
    """
    sent = list(sent_tokens)
    findings: list[Finding] = []
    for frame in progress_notifications(frames):
        token = token_of(frame)
        if any(same_token(token, s) for s in sent):
            continue
        coerced = [s for s in sent if str(s) == str(token)]
        if coerced:
            findings.append(
                warn(
                    "PROG-01",
                    f"progress token {token!r} ({type(token).__name__}) comes back for the token "
                    f"{coerced[0]!r} ({type(coerced[0]).__name__}) the request sent: the JSON type changed",
                    frame.message,
                )
            )
        else:
            findings.append(
                fail(
                    "PROG-01",
                    f"progress notification with token {token!r}, which no request carried",
                    frame.message,
                )
            )
    return _first_per_message(findings)


@check("PROG-02")
def strictly_increasing(frames: Iterable[Received], token: Any) -> list[Finding]:
    """PROG-02: within one token, `progress` is a number that strictly increases."""
    previous: float | None = None
    for frame in progress_notifications(frames):
        if not same_token(token_of(frame), token):
            continue
        value = frame.message["params"].get("progress")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue  # a schema error, reported per frame
        if previous is not None and value <= previous:
            return [
                fail(
                    "PROG-02",
                    f"progress for token {token!r} went from {previous:g} to {value:g} (must increase)",
                    frame.message,
                )
            ]
        previous = value
    return []


@check("PROG-03")
def after_response(frames: Iterable[Received], call: ProgressCall) -> list[Finding]:
    """PROG-03: no progress for a token once the request's final response has arrived."""
    if call.answered_at is None:
        return []
    late = [
        f
        for f in progress_notifications(frames)
        if same_token(token_of(f), call.token) and f.at > call.answered_at
    ]
    if not late:
        return []
    return [
        fail(
            "PROG-03",
            f"{len(late)} progress notification(s) for token {call.token!r} arrived after the response to "
            f"request {call.request_id!r}",
            late[0].message,
        )
    ]


def _first_per_message(findings: list[Finding]) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for finding in findings:
        if finding.message not in seen:
            seen.add(finding.message)
            out.append(finding)
    return out[:5]


@check("PROG-01")
def progress_observed(frames: Iterable[Received], name: str, token: Any) -> list[Finding]:
    """PROG-01 (INFO): progress is optional, so a tool that sent none for `token`
    leaves the progress rules unobserved; recorded so the pass is not read as checked."""
    if any(same_token(token_of(f), token) for f in progress_notifications(frames)):
        return []
    return [info("PROG-01", f"{name} sent no progress for token {token!r}: progress rules not observable")]
