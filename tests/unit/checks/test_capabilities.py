"""harness/checks/capabilities.py: CAP-01/02/05/06 over answers to capability probes."""

from __future__ import annotations

from harness.checks import capabilities
from tests.unit.builders import err, ok, unanswered, verdict


def test_declared_family_answers() -> None:
    assert capabilities.declared_family_answers("tools", "tools/list", "tools", ok({"tools": []})) == []
    for answer in (err(-32601), ok({"items": []}), unanswered(failure="HTTP 500")):
        found = capabilities.declared_family_answers("tools", "tools/list", "tools", answer)
        assert verdict(found) == [("CAP-01", "fail")]


def test_undeclared_family_refused() -> None:
    assert capabilities.undeclared_family_refused("prompts", "prompts/list", err(-32601)) == []
    found = capabilities.undeclared_family_refused("prompts", "prompts/list", ok({"prompts": []}))
    assert verdict(found) == [("CAP-01", "warn")]


def test_subscribe_without_capability() -> None:
    accepted = ok({}, "resources/subscribe")
    assert capabilities.subscribe_without_capability(accepted, {"resources": {"subscribe": True}}) == []
    assert capabilities.subscribe_without_capability(err(-32601), {"resources": {}}) == []
    assert verdict(capabilities.subscribe_without_capability(accepted, {"resources": {}})) == [
        ("CAP-02", "warn")
    ]


def test_outcome_names_each_kind_of_answer() -> None:
    assert capabilities.outcome(unanswered()) == "no answer"
    assert capabilities.outcome(err(-32602)) == "error -32602"
    assert capabilities.outcome(ok({"task": {"taskId": "t1"}})) == "task"
    assert capabilities.outcome(ok({"content": [], "isError": True})) == "tool-error"
    assert capabilities.outcome(ok({"content": []})) == "success"


def test_task_metadata_ignored() -> None:
    plain, same = ok({"content": []}), ok({"content": []})
    assert capabilities.task_metadata_ignored(plain, same, {}) == []
    assert capabilities.task_metadata_ignored(plain, ok({"task": {"taskId": "t"}}), {"tasks": {}}) == []
    assert verdict(capabilities.task_metadata_ignored(plain, ok({"task": {"taskId": "t"}}), {})) == [
        ("CAP-05", "fail")
    ]
    assert verdict(capabilities.task_metadata_ignored(plain, err(-32602), {})) == [("CAP-05", "fail")]


def test_unknown_task_id() -> None:
    assert capabilities.unknown_task_id(err(-32602, "tasks/get")) == []
    assert verdict(capabilities.unknown_task_id(err(-32601, "tasks/get"))) == [("CAP-05", "warn")]
    assert verdict(capabilities.unknown_task_id(ok({"status": "working"}, "tasks/get"))) == [
        ("CAP-05", "fail")
    ]


def test_task_required_without_task() -> None:
    assert capabilities.task_required_without_task("long", err(-32601)) == []
    [finding] = capabilities.task_required_without_task("long", ok({"content": []}))
    assert (finding.rule, finding.severity) == ("CAP-05", "fail") and "success" in finding.message


def test_modern_capabilities() -> None:
    good = {"tools": {}, "extensions": {"io.modelcontextprotocol/tasks": {}, "com.example/audit": {}}}
    assert capabilities.modern_capabilities(good) == []
    assert verdict(capabilities.modern_capabilities({"tasks": {}})) == [("CAP-06", "info")]
    assert verdict(capabilities.modern_capabilities({"extensions": {"audit": {}}})) == [("CAP-06", "info")]
