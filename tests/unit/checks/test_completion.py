"""harness/checks/completion.py: COMP-01..03 (complements tests/test_checks_resources_prompts.py)."""

from __future__ import annotations

from harness.checks import completion
from tests.unit.builders import err, ok, verdict

REF = {"type": "ref/resource", "uri": "file:///{path}"}


def test_undeclared_but_served_is_quiet_on_a_refusal() -> None:
    assert completion.undeclared_but_served(err(-32601, "completion/complete"), REF) == []


def test_unsupported_code_other_than_method_not_found() -> None:
    assert verdict(completion.unsupported_code(err(-32603, "completion/complete"))) == [("COMP-03", "warn")]
    assert (
        completion.unsupported_code(ok({"completion": {"values": []}}, "completion/complete")) == []
    )  # COMP-01's


def test_complete_result_good() -> None:
    good = ok(
        {"completion": {"values": ["a.txt", "b.txt"], "total": 10, "hasMore": True}}, "completion/complete"
    )
    assert completion.complete_result(good, REF, "path") == []


def test_complete_result_field_types() -> None:
    def judged(completion_object: object) -> list[tuple[str, str]]:
        exchange = ok({"completion": completion_object}, "completion/complete")
        return verdict(completion.complete_result(exchange, REF, "path"))

    assert judged({"values": ["a", 1]}) == [("COMP-02", "fail")]
    assert judged({"values": [], "total": "3"}) == [("COMP-02", "fail")]
    assert judged({"values": [], "hasMore": "yes"}) == [("COMP-02", "fail")]
    assert judged({"values": ["a", "b"], "total": 1}) == [("COMP-02", "warn")]
    assert judged("none") == [("COMP-02", "fail")]


def test_complete_result_failure_is_only_info() -> None:
    assert verdict(completion.complete_result(err(-32602), REF, "path")) == [("COMP-02", "info")]


def test_invalid_complete() -> None:
    assert completion.invalid_complete(err(-32602, "completion/complete"), "unknown prompt") == []
    assert verdict(completion.invalid_complete(err(-32603), "unknown prompt")) == [("COMP-03", "warn")]
    served = ok({"completion": {"values": []}}, "completion/complete")
    assert verdict(completion.invalid_complete(served, "unknown prompt")) == [("COMP-03", "warn")]


def test_declared_but_not_served_fails_on_method_not_found() -> None:
    found = completion.declared_but_not_served(err(-32601, "completion/complete"), REF)
    assert verdict(found) == [("COMP-01", "fail")]
    assert "declares the completions capability" in found[0].message and "file:///{path}" in found[0].message


def test_declared_but_not_served_leaves_other_answers_to_comp02_and_comp03() -> None:
    served = ok({"completion": {"values": []}}, "completion/complete")
    assert completion.declared_but_not_served(served, REF) == []
    for code in (-32602, -32603):  # a bad reference or a backend failure: still served
        assert completion.declared_but_not_served(err(code, "completion/complete"), REF) == []
