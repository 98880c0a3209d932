"""harness/checks/logging.py: LOG-01..03 (complements tests/test_checks_resources_prompts.py)."""

from __future__ import annotations

from harness.checks import logging
from tests.unit.builders import err, notification, ok, received, verdict


def log(level: str, **extra: object) -> dict:
    return notification("notifications/message", {"level": level, "data": "hello", **extra})


def test_log_messages_picks_notifications_from_frames_or_dicts() -> None:
    frames = [
        received(log("info")),
        log("error"),
        notification("notifications/progress", {}),
        {"id": 1, "method": "notifications/message"},
    ]
    assert [m["params"]["level"] for m in logging.log_messages(frames)] == ["info", "error"]


def test_set_level_ok() -> None:
    assert logging.set_level_ok(ok({}, "logging/setLevel"), "info") == []
    assert logging.set_level_ok(ok({"_meta": {}}, "logging/setLevel"), "info") == []
    assert verdict(logging.set_level_ok(err(-32601, "logging/setLevel"), "info")) == [("LOG-01", "fail")]
    assert verdict(logging.set_level_ok(ok({"level": "info"}, "logging/setLevel"), "info")) == [
        ("LOG-01", "warn")
    ]


def test_bogus_level() -> None:
    assert logging.bogus_level(err(-32602, "logging/setLevel"), "verbose") == []
    assert verdict(logging.bogus_level(ok({}, "logging/setLevel"), "verbose")) == [("LOG-01", "warn")]


def test_below_level_keeps_quiet_at_or_above_the_floor() -> None:
    assert logging.below_level([log("warning"), log("error"), log("verbose")], "warning") == []


def test_message_shape_accepts_a_well_formed_message() -> None:
    assert logging.message_shape([log("notice", logger="db")]) == []
    assert verdict(logging.message_shape([log("notice", logger=7)])) == [("LOG-02", "fail")]


def test_unrequested_is_quiet_without_messages() -> None:
    assert logging.unrequested([], ["tools/list"]) == []


def test_bogus_meta_level() -> None:
    assert logging.bogus_meta_level(err(-32602), "tools/list") == []
    assert verdict(logging.bogus_meta_level(err(-32600), "tools/list")) == [("LOG-03", "warn")]
