"""harness/checks/pagination.py: PAGE-01..03 (complements tests/test_checks_resources_prompts.py)."""

from __future__ import annotations

from harness.checks import pagination
from harness.checks.pagination import Page, Walk
from tests.unit.builders import err, ok, verdict


def walk(*pages: list[str], stopped: str = "end") -> Walk:
    built = []
    for number, names in enumerate(pages):
        items = [{"name": n} for n in names]
        result = {"tools": items} | ({"nextCursor": f"c{number + 1}"} if number + 1 < len(pages) else {})
        built.append(Page(None if number == 0 else f"c{number}", ok(result, "tools/list"), items))
    return Walk("tools/list", built, stopped)


def test_walk_ends_at_the_page_cap_is_only_info() -> None:
    assert verdict(pagination.walk_ends(walk(["a"], ["b"], stopped="cap"))) == [("PAGE-01", "info")]


def test_no_duplicates() -> None:
    assert pagination.no_duplicates(walk(["a", "b"], ["c"])) == []
    assert verdict(pagination.no_duplicates(walk(["a", "b"], ["b", "c"]))) == [("PAGE-01", "warn")]


def test_garbage_cursor() -> None:
    assert pagination.garbage_cursor(err(-32602, "tools/list"), "tools/list", "zzz") == []
    assert verdict(pagination.garbage_cursor(ok({"tools": []}, "tools/list"), "tools/list", "zzz")) == [
        ("PAGE-02", "warn")
    ]
    assert verdict(pagination.garbage_cursor(err(-32603, "tools/list"), "tools/list", "zzz")) == [
        ("PAGE-02", "warn")
    ]


def test_same_page() -> None:
    page = ok({"tools": [{"name": "a"}]}, "tools/list")
    again = ok({"tools": [{"name": "a"}]}, "tools/list")
    assert pagination.same_page("tools/list", page, again, "c1") == []
    other = ok({"tools": [{"name": "b"}]}, "tools/list")
    [finding] = pagination.same_page("tools/list", page, other, "c1")
    assert (finding.rule, finding.severity) == ("PAGE-03", "warn") and "['a'] then ['b']" in finding.message
    assert verdict(pagination.same_page("tools/list", page, err(-32602, "tools/list"), "c1")) == [
        ("PAGE-03", "warn")
    ]
