"""SURF-01..03 on hand-built listings: what differs, when it is a WARN, when only INFO."""

from __future__ import annotations

from harness.checks.surface import (
    changed_within_session,
    declares_list_changed,
    difference,
    differs_across_sessions,
    notified,
    unannounced_change,
)
from tests.unit.builders import verdict

TOOLS = [{"name": "a", "description": "A"}, {"name": "b", "description": "B"}]
RESOURCES = [{"uri": "kb://articles/1", "name": "one"}]
GROWN = [*RESOURCES, {"uri": "kb://articles/2", "name": "two"}]


def test_difference_names_what_moved_and_ignores_order() -> None:
    assert difference("tools/list", TOOLS, list(reversed(TOOLS))) is None
    moved = [{"name": "a", "description": "A!"}, {"name": "c"}]
    assert difference("tools/list", TOOLS, moved) == "1 added (c); 1 gone (b); 1 changed (a)"


def test_surf01_warns_on_any_fresh_session_that_differs() -> None:
    assert differs_across_sessions("tools/list", [TOOLS, TOOLS, TOOLS]) == []
    found = differs_across_sessions("tools/list", [TOOLS, TOOLS, TOOLS[:1]])
    assert verdict(found) == [("SURF-01", "warn")] and "sessions 1 and 3" in found[0].message


def test_surf02_a_change_is_excused_only_by_its_notification() -> None:
    assert changed_within_session("tools/list", TOOLS, TOOLS, announced=False) == []
    assert changed_within_session("tools/list", TOOLS, TOOLS[:1], announced=True) == []
    found = changed_within_session("tools/list", TOOLS, TOOLS[:1], announced=False, ttl_ms=60000)
    assert verdict(found) == [("SURF-02", "warn")] and "ttlMs 60000" in found[0].message


def test_surf03_declared_and_silent_warns_undeclared_is_info() -> None:
    method = "resources/list"
    assert unannounced_change(method, RESOURCES, GROWN, declared=True, announced=True, change="x") == []
    assert verdict(unannounced_change(method, RESOURCES, GROWN, True, False, "x")) == [("SURF-03", "warn")]
    assert verdict(unannounced_change(method, RESOURCES, GROWN, False, False, "x")) == [("SURF-03", "info")]
    assert verdict(unannounced_change(method, RESOURCES, RESOURCES, True, False, "x")) == [
        ("SURF-03", "info")
    ]


def test_notifications_and_capabilities() -> None:
    changed = [{"jsonrpc": "2.0", "method": "notifications/resources/list_changed"}]
    assert notified(changed, "resources/templates/list") and not notified(changed, "tools/list")
    assert declares_list_changed({"resources": {"listChanged": True}}, "resources/list")
    assert not declares_list_changed({"tools": {}}, "tools/list")
