"""harness/checks/cancellation.py: CANC-01/02/04 over what came back after a cancel."""

from __future__ import annotations

from harness.checks import cancellation
from harness.checks.cancellation import CANCEL_GRACE_SECONDS
from tests.unit.builders import notification, progress, received, verdict

CANCELLED_AT = 10.0
LATE = CANCELLED_AT + CANCEL_GRACE_SECONDS + 0.1


def test_answered_despite_cancel() -> None:
    answered = {"jsonrpc": "2.0", "id": 1, "result": {"content": []}}
    assert cancellation.answered_despite_cancel([answered, None, answered]) == []  # once is a race
    assert cancellation.answered_despite_cancel([]) == []
    assert verdict(cancellation.answered_despite_cancel([answered, answered])) == [("CANC-01", "warn")]


def test_progress_after_cancel() -> None:
    in_the_race = [progress("t", 1, at=CANCELLED_AT + 0.1), progress("other", 2, at=LATE)]
    assert cancellation.progress_after_cancel(in_the_race, "t", CANCELLED_AT, must=True) == []
    late = [progress("t", 1, at=LATE)]
    assert verdict(cancellation.progress_after_cancel(late, "t", CANCELLED_AT, must=False)) == [
        ("CANC-01", "warn")
    ]
    assert verdict(cancellation.progress_after_cancel(late, "t", CANCELLED_AT, must=True)) == [
        ("CANC-01", "fail")
    ]


def test_progress_after_cancel_compares_tokens_with_their_json_type() -> None:
    assert cancellation.progress_after_cancel([progress("7", 1, at=LATE)], 7, CANCELLED_AT, must=True) == []


def test_cancelled_the_wrong_request() -> None:
    response = {"jsonrpc": "2.0", "id": 3, "result": {}}
    assert cancellation.cancelled_the_wrong_request(3, response, "a cancel for id 99") == []
    assert verdict(cancellation.cancelled_the_wrong_request(3, None, "a cancel for id 99")) == [
        ("CANC-02", "warn")
    ]


def test_server_sent_cancellations() -> None:
    listen_end = received(notification("notifications/cancelled", {"requestId": "listen-1"}))
    assert cancellation.server_sent_cancellations([listen_end], listen_ids=["listen-1"]) == []
    stray = received(notification("notifications/cancelled", {"requestId": 5}))
    assert verdict(cancellation.server_sent_cancellations([stray], listen_ids=["listen-1"])) == [
        ("CANC-04", "fail")
    ]
