"""harness/checks/registry.py: @check by rule id, the coverage column, and the judge's bookkeeping."""

from __future__ import annotations

import pytest

from harness.checks import registry
from harness.findings import Finding
from harness.protocol.session import Session
from harness.transport.memory import MemoryTransport


@pytest.fixture
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks registered by a test go into a copy, so the real table is unchanged afterwards.

    Every check module is imported first: one imported during the test would
    register its checks into the copy only, and be missing from the table after.
    """
    registry.load_all()
    monkeypatch.setattr(registry, "_CHECKS", dict(registry._CHECKS))


def test_check_registers_a_function_under_its_rules(scratch_registry: None) -> None:
    @registry.check("RPC-05", "RPC-07")
    def answers(_exchange: object) -> list[Finding]:
        return []

    [entry] = [e for e in registry.registered() if e.function is answers]
    assert (entry.name, entry.rules, entry.always) == ("test_registry.answers", ("RPC-05", "RPC-07"), False)
    assert "test_registry.answers" in registry.checks_by_rule()["RPC-07"]


def test_misuse_is_refused_where_it_happens(scratch_registry: None) -> None:
    with pytest.raises(ValueError, match="at least one rule"):
        registry.check()

    def twice(_exchange: object) -> list[Finding]:
        return []

    registry.check("RPC-05")(twice)
    registry.check("RPC-05")(twice)  # the same function again is harmless (a module re-imported)

    def other(_exchange: object) -> list[Finding]:
        return []

    other.__name__ = "twice"
    with pytest.raises(ValueError, match="registered twice"):
        registry.check("RPC-05")(other)


def test_every_always_on_rule_has_its_check_in_the_coverage_column() -> None:
    table = registry.checks_by_rule()
    assert {"always.ids_echoed", "jsonrpc.id_echo"} <= set(table["RPC-02"])
    assert "always.every_frame" in table["CAP-02"]
    assert {"always.clean_stdout"} <= set(table["STDIO-02"])


def test_a_judge_belongs_to_its_session_and_marks_where_a_slice_starts() -> None:
    session = Session(MemoryTransport(), timeout=0.1)
    judge = registry.judge_of(session, secrets=["first-secret"])
    assert registry.judge_of(session, secrets=["second-secret"]) is judge
    assert judge.secrets == ["second-secret"]
    assert judge.mark() == registry.Mark(received=0, exchanges=0, unmatched=0, seq=0)


def test_every_registered_rule_is_in_the_catalogue_and_most_rules_have_a_check() -> None:
    """The coverage table's *check* column comes from here: it must name real rules, and cover
    the catalogue's testable rules apart from those judged by parametric checks
    (`jsonrpc.expect_error(rule, ...)`, `jsonrpc.no_reply(rule, ...)`)."""
    from harness import rules
    from harness.checks.registry import checks_by_rule

    table = checks_by_rule()
    assert set(table) <= set(rules.RULES)
    testable = [r for r in rules.RULES.values() if r.testable]
    assert len([r for r in testable if r.id in table]) >= 0.7 * len(testable)
