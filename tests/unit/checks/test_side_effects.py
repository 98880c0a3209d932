"""harness/checks/side_effects.py: SIDE-01..03, what a request changed against what it promised."""

from __future__ import annotations

from dataclasses import dataclass

from harness.checks import side_effects
from harness.protocol.session import Exchange
from tests.unit.builders import ok


@dataclass
class Change:
    """The fields the oracle's change records carry, as the check reads them."""

    backend: str
    operation: str
    what: str
    count: int = 1
    detail: str = ""


INSERT = Change("postgres", "INSERT", "issues")
DELETE = Change("postgres", "DELETE", "issues", 2)
TOOLS = {
    "reader": {"name": "reader", "annotations": {"readOnlyHint": True}},
    "adder": {"name": "adder", "annotations": {"readOnlyHint": False, "destructiveHint": False}},
    "anything": {"name": "anything"},
}


def call(tool: str, *changes: Change) -> Exchange:
    exchange = ok({"content": []}, "tools/call", params={"name": tool, "arguments": {}})
    exchange.changes = list(changes)
    return exchange


def rules(found: list) -> list[str]:
    return [f.rule for f in found]


def test_no_change_no_finding() -> None:
    assert side_effects.side_effects(call("reader"), TOOLS) == []


def test_read_methods_change_nothing() -> None:
    listing = ok({"tools": []}, "tools/list")
    listing.changes = [INSERT]
    assert rules(side_effects.side_effects(listing, TOOLS)) == ["SIDE-02"]


def test_read_only_tools_change_nothing() -> None:
    assert rules(side_effects.side_effects(call("reader", INSERT), TOOLS)) == ["SIDE-01"]


def test_non_destructive_tools_only_add() -> None:
    assert side_effects.side_effects(call("adder", INSERT), TOOLS) == []
    [finding] = side_effects.side_effects(call("adder", INSERT, DELETE), TOOLS)
    assert (
        finding.rule == "SIDE-03"
        and "DELETE issues x2" in finding.message
        and "INSERT" not in finding.message
    )


def test_creating_is_adding_but_changing_what_was_there_is_not() -> None:
    """Issue 18: `CREATE TABLE IF NOT EXISTS notes (id serial primary key ...)` then an INSERT,
    as PostgreSQL's event triggers report it, is only adding; ALTER of an older table is not."""
    new_table = [
        Change("postgres", "DDL", "public.notes_id_seq", detail="CREATE SEQUENCE"),
        Change("postgres", "DDL", "public.notes", detail="CREATE TABLE"),
        Change("postgres", "DDL", "public.notes_pkey", detail="CREATE INDEX"),
        Change("postgres", "DDL", "public.notes_id_seq", detail="ALTER SEQUENCE"),
        Change("postgres", "INSERT", "public.notes"),
        Change("postgres", "UPDATE", "public.notes"),  # its own new row: nothing older touched
    ]
    assert side_effects.side_effects(call("adder", *new_table), TOOLS) == []
    older = Change("postgres", "DDL", "public.customers", detail="ALTER TABLE")
    [finding] = side_effects.side_effects(call("adder", *new_table, older), TOOLS)
    assert finding.rule == "SIDE-03" and "public.customers" in finding.message
    dropped = Change("postgres", "DDL", "public.orders", detail="DROP TABLE")
    assert rules(side_effects.side_effects(call("adder", dropped), TOOLS)) == ["SIDE-03"]
    updated = Change("postgres", "UPDATE", "public.customers")
    assert rules(side_effects.side_effects(call("adder", *new_table, updated), TOOLS)) == ["SIDE-03"]


def test_unannotated_tools_and_other_methods_may_change_state() -> None:
    assert side_effects.side_effects(call("anything", DELETE), TOOLS) == []
    other = ok({}, "resources/subscribe")
    other.changes = [INSERT]
    assert side_effects.side_effects(other, TOOLS) == []


def test_describe_caps_the_list() -> None:
    text = side_effects.describe([INSERT] * 10)
    assert text.count("postgres: INSERT issues x1") == 8 and text.endswith("(+2 more)")
