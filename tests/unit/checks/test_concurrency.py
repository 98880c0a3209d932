"""CONC-01..03 on hand-built bursts: each wrong-reply pattern is reported as exactly its rule."""

from __future__ import annotations

from harness.burst import Probe, burst_ids
from harness.checks.concurrency import crossed_replies, dropped_replies, markers, reply_text, unproven
from tests.unit.builders import ok, unanswered, verdict

RECORDS = {
    "customer 1": {"email": "ann.lee@example.com", "name": "Ann Lee", "company": "Acme"},
    "customer 2": {"email": "bob.ray@example.com", "name": "Bob Ray", "company": "Acme"},
    "customer 3": {"email": "cy.tan@example.com", "name": "Cy Tan", "company": "Initech"},
    "issue SUP-1": {"key": "SUP-1", "summary": "Login fails"},
    "issue SUP-12": {"key": "SUP-12", "summary": "Login fails"},
}


def reply(label: str | None, request_id: object = 1) -> object:
    fields = RECORDS.get(label or "", {})
    return ok({"content": [{"type": "text", "text": f"{fields}"}], "isError": False}, request_id=request_id)


def probe(session: int, asked: str, got: str | None, request_id: object = 1) -> Probe:
    return Probe(session, reply(got, request_id), asked, "tool 'get_customer'")


def test_markers_keep_only_what_one_record_has() -> None:
    marks = markers(RECORDS)
    assert "Acme" not in marks["customer 1"] and "ann.lee@example.com" in marks["customer 1"]
    assert marks["issue SUP-1"] == ["SUP-1"]  # "Login fails" is shared; SUP-1 is not inside SUP-12


def test_own_records_everywhere_pass() -> None:
    probes = [probe(0, f"customer {n}", f"customer {n}") for n in (1, 2, 3)]
    assert crossed_replies(probes, RECORDS) == []
    assert dropped_replies(probes) == []


def test_record_of_another_session_is_conc01() -> None:
    probes = [probe(0, "customer 1", "customer 2"), probe(1, "customer 2", "customer 2")]
    found = crossed_replies(probes, RECORDS)
    assert verdict(found) == [("CONC-01", "fail")]
    assert "wrong session" in found[0].message


def test_one_record_served_twice_on_one_session_is_conc01() -> None:
    probes = [probe(0, "customer 1", "customer 2"), probe(0, "customer 2", "customer 2")]
    found = crossed_replies(probes, RECORDS)
    assert verdict(found) == [("CONC-01", "fail")] and "shared state" in found[0].message


def test_swapped_ids_on_one_session_are_conc03() -> None:
    probes = [
        probe(0, "customer 1", "customer 2"),
        probe(0, "customer 2", "customer 1"),
        probe(0, "customer 3", "customer 3"),
    ]
    assert verdict(crossed_replies(probes, RECORDS)) == [("CONC-03", "fail")]


def test_swap_and_crossing_together_are_told_apart() -> None:
    probes = [
        probe(0, "customer 1", "customer 2"),
        probe(0, "customer 2", "customer 1"),
        probe(0, "issue SUP-1", "issue SUP-12"),
        probe(0, "issue SUP-12", "issue SUP-12"),
    ]
    assert sorted(verdict(crossed_replies(probes, RECORDS))) == [("CONC-01", "fail"), ("CONC-03", "fail")]


def test_a_reply_with_its_own_and_another_record_is_crossed_not_swapped() -> None:
    both = ok({"content": [{"type": "text", "text": "ann.lee@example.com bob.ray@example.com"}]})
    probes = [Probe(0, both, "customer 1", "t"), probe(0, "customer 2", "customer 1")]
    assert verdict(crossed_replies(probes, RECORDS)) == [("CONC-01", "fail")]


def test_dropped_reply_is_conc02_and_errors_prove_nothing() -> None:
    lost = Probe(1, unanswered(), "customer 3", "t", dropped=True)
    probes = [probe(0, "customer 1", "customer 1"), lost]
    assert verdict(dropped_replies(probes)) == [("CONC-02", "fail")]
    assert crossed_replies(probes, RECORDS) == []
    error = Probe(
        0, ok({"content": [{"type": "text", "text": "rate limited"}], "isError": True}), "customer 2", "t"
    )
    assert verdict(unproven([error], RECORDS)) == [("CONC-01", "info")]


def test_json_inside_a_text_block_is_read_unescaped() -> None:
    exchange = ok({"contents": [{"uri": "x", "text": '{"body": "line one\\nline \\"two\\""}'}]})
    assert 'line one line "two"' in reply_text(exchange)


def test_burst_ids_repeat_across_sessions_in_both_json_types() -> None:
    ids = burst_ids(4)
    assert ids == burst_ids(4) and {type(i) for i in ids} == {int, str} and len(set(map(str, ids))) == 4
