"""harness/checks/progress.py: PROG-01..03, tokens compared with their JSON type."""

from __future__ import annotations

from harness.checks import progress as checks
from harness.checks.progress import ProgressCall
from tests.unit.builders import notification, progress, received, verdict


def test_progress_notifications_and_tokens() -> None:
    frames = [
        progress("t", 1),
        received(notification("notifications/message")),
        received({"id": 1, "method": "notifications/progress"}),
    ]
    assert checks.progress_notifications(frames) == [frames[0]]
    assert checks.token_of(frames[0]) == "t"
    assert checks.same_token(7, 7) and not checks.same_token(7, "7") and not checks.same_token(1, True)


def test_unknown_tokens() -> None:
    assert checks.unknown_tokens([progress(7, 1), progress("a", 1)], [7, "a"]) == []
    assert verdict(checks.unknown_tokens([progress("7", 1)], [7])) == [("PROG-01", "warn")]
    assert verdict(checks.unknown_tokens([progress("never-sent", 1)], [7])) == [("PROG-01", "fail")]


def test_strictly_increasing() -> None:
    assert checks.strictly_increasing([progress("t", 1), progress("u", 0), progress("t", 2.5)], "t") == []
    assert verdict(checks.strictly_increasing([progress("t", 2), progress("t", 2)], "t")) == [
        ("PROG-02", "fail")
    ]


def test_after_response() -> None:
    call = ProgressCall(token="t", request_id=1, answered_at=5.0)
    assert checks.after_response([progress("t", 1, at=4.9), progress("u", 2, at=6.0)], call) == []
    assert checks.after_response([progress("t", 1, at=9.0)], ProgressCall("t", 1, None)) == []
    assert verdict(checks.after_response([progress("t", 1, at=5.1)], call)) == [("PROG-03", "fail")]


def test_progress_observed_is_per_token() -> None:
    assert checks.progress_observed([progress(7, 1)], "slow", 7) == []
    # progress for the other of two concurrent calls does not make this token's observed
    assert verdict(checks.progress_observed([progress("a", 1)], "slow", 7)) == [("PROG-01", "info")]
