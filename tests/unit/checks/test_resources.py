"""harness/checks/resources.py: RES-01/05/08 (complements tests/test_checks_resources_prompts.py)."""

from __future__ import annotations

from harness.checks import resources
from tests.unit.builders import err, notification, ok, verdict


def test_list_result() -> None:
    listed = ok({"resources": [{"uri": "file:///a.txt", "name": "a"}]}, "resources/list")
    assert resources.list_result("resources/list", listed, "resources", "uri") == []
    nameless = ok({"resources": [{"uri": "file:///a.txt"}]}, "resources/list")
    assert verdict(resources.list_result("resources/list", nameless, "resources", "uri")) == [
        ("RES-01", "fail")
    ]
    assert verdict(resources.list_result("resources/list", err(-32601), "resources", "uri")) == [
        ("RES-01", "fail")
    ]
    no_array = ok({"resourceTemplates": {}}, "resources/templates/list")
    found = resources.list_result("resources/templates/list", no_array, "resourceTemplates", "uriTemplate")
    assert verdict(found) == [("RES-01", "fail")]


def test_templates_valid() -> None:
    assert (
        resources.templates_valid([{"uriTemplate": "file:///{path}", "name": "f"}, {"name": "no template"}])
        == []
    )
    assert verdict(resources.templates_valid([{"uriTemplate": "file:///{path", "name": "f"}])) == [
        ("RES-01", "fail")
    ]


def test_uris_valid() -> None:
    assert resources.uris_valid([{"uri": "file:///a.txt"}, {"name": "no uri: RES-01's"}]) == []
    assert verdict(resources.uris_valid([{"uri": "no scheme"}])) == [("RES-08", "fail")]


def test_empty_result() -> None:
    assert resources.empty_result(ok({}, "resources/subscribe"), "resources/subscribe", "file:///a") == []
    assert (
        resources.empty_result(ok({"_meta": {}}, "resources/subscribe"), "resources/subscribe", "file:///a")
        == []
    )
    extra = ok({"subscribed": True}, "resources/subscribe")
    assert verdict(resources.empty_result(extra, "resources/subscribe", "file:///a")) == [("RES-05", "warn")]
    assert verdict(resources.empty_result(err(-32601), "resources/subscribe", "file:///a")) == [
        ("RES-05", "fail")
    ]


def test_updates_after_unsubscribe() -> None:
    other = notification("notifications/resources/updated", {"uri": "file:///b"})
    assert resources.updates_after_unsubscribe([other], "file:///a") == []
    late = notification("notifications/resources/updated", {"uri": "file:///a"})
    assert verdict(resources.updates_after_unsubscribe([other, late], "file:///a")) == [("RES-05", "warn")]


def test_res02_sampling_is_said_with_where_everything_was_read() -> None:
    assert resources.reads_sampled(5, 10) == []
    assert verdict(resources.reads_sampled(300, 200)) == [("RES-02", "info")]
    beside = resources.reads_sampled(300, 10, "2025-11-25")
    assert verdict(beside) == [("RES-02", "info")] and "more at 2025-11-25" in beside[0].message
