"""Pagination checks (PAGE-*): pure functions over the pages of one list walk.

The walk itself (I/O) lives in `suites/_support.py`; it stops at the first
cursor it has already sent, so a loop ends the walk and shows up here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.exchange import Exchange

# The paginated list methods: result key, and the field that names an item.
PAGINATED: dict[str, tuple[str, str]] = {
    "tools/list": ("tools", "name"),
    "prompts/list": ("prompts", "name"),
    "resources/list": ("resources", "uri"),
    "resources/templates/list": ("resourceTemplates", "uriTemplate"),
}
# Which server capability makes each list method available.
CAPABILITY_OF: dict[str, str] = {
    "tools/list": "tools",
    "prompts/list": "prompts",
    "resources/list": "resources",
    "resources/templates/list": "resources",
}


@dataclass
class Page:
    """One page of a walk: the cursor sent (None for the first), what came back."""

    cursor: Any
    exchange: Exchange
    items: list[Any] = field(default_factory=list)

    @property
    def next_cursor(self) -> Any:
        result = self.exchange.result if isinstance(self.exchange.result, dict) else {}
        return result.get("nextCursor")


@dataclass
class Walk:
    """All pages of one list method, and why the walk stopped."""

    method: str
    pages: list[Page]
    stopped: str  # "end" | "empty" (nextCursor "") | "loop" | "error" | "cap"

    @property
    def items(self) -> list[Any]:
        return [item for page in self.pages for item in page.items]


def cursor_key(cursor: Any) -> str:
    return json.dumps(cursor, sort_keys=True)


@check("PAGE-01")
def walk_ends(walk: Walk) -> list[Finding]:
    """PAGE-01: following `nextCursor` ends; a cursor that comes back is a loop (FAIL).

    An empty-string cursor is treated as the end, as common clients do (WARN:
    the spec says the last page has no nextCursor). A walk cut short by the
    harness's page cap is only reported (INFO).
    """
    if walk.stopped == "loop":
        last = walk.pages[-1]
        sent = [p.cursor for p in walk.pages]
        first = sent.index(last.next_cursor) if last.next_cursor in sent else 0
        return [
            fail(
                "PAGE-01",
                f"{walk.method}: page {len(walk.pages)} returned nextCursor {_short(last.next_cursor)}, "
                f"already followed at page {first + 1} (the pagination loops)",
                last.exchange.response,
            )
        ]
    if walk.stopped == "empty":
        return [
            warn(
                "PAGE-01",
                f'{walk.method}: page {len(walk.pages)} has nextCursor "" (an empty cursor); the last page '
                "should leave nextCursor out. The walk stopped there, as most clients do",
                walk.pages[-1].exchange.response,
            )
        ]
    if walk.stopped == "cap":
        return [info("PAGE-01", f"{walk.method}: stopped after {len(walk.pages)} pages (harness page cap)")]
    return []


@check("PAGE-01")
def no_duplicates(walk: Walk) -> list[Finding]:
    """PAGE-01: no item appears on two pages of one walk (WARN)."""
    key, id_field = PAGINATED[walk.method]
    seen: dict[str, int] = {}
    findings: list[Finding] = []
    for number, page in enumerate(walk.pages, start=1):
        for item in page.items:
            ident = item.get(id_field) if isinstance(item, dict) else None
            if ident is None:
                continue
            marker = cursor_key(ident)
            if marker in seen and seen[marker] != number:
                findings.append(
                    warn(
                        "PAGE-01",
                        f"{walk.method}: {key} item {_short(ident)} appears on page {seen[marker]} and again "
                        f"on page {number}",
                        item,
                    )
                )
            seen.setdefault(marker, number)
    return findings[:10]


@check("PAGE-02")
def garbage_cursor(exchange: Exchange, method: str, cursor: str) -> list[Finding]:
    """PAGE-02: a cursor the server never issued gets -32602 (SHOULD: else WARN)."""
    if exchange.ok:
        return [
            warn(
                "PAGE-02",
                f"{method} with the invented cursor {cursor!r} was served instead of -32602",
                exchange.response,
            )
        ]
    if exchange.code != -32602:
        return [
            warn(
                "PAGE-02",
                f"{method} with the invented cursor {cursor!r} got {exchange.code!r}, not -32602",
                exchange.response,
            )
        ]
    return []


@check("PAGE-03")
def same_page(method: str, first: Exchange, again: Exchange, cursor: Any) -> list[Finding]:
    """PAGE-03: the same cursor sent twice (nothing changed in between) gives the same items."""
    key = PAGINATED[method][0]
    if not first.ok or not again.ok:
        return [
            warn("PAGE-03", f"{method}: cursor {_short(cursor)} worked once, then failed", again.response)
        ]
    one = (first.result or {}).get(key)
    two = (again.result or {}).get(key)
    if cursor_key(one) != cursor_key(two):
        return [
            warn(
                "PAGE-03",
                f"{method}: re-sending cursor {_short(cursor)} returned a different page "
                f"({_names(method, one)} then {_names(method, two)})",
                first.response,
                again.response,
            )
        ]
    return []


def _names(method: str, items: Any) -> str:
    id_field = PAGINATED[method][1]
    if not isinstance(items, list):
        return repr(items)
    return "[" + ", ".join(repr(i.get(id_field)) if isinstance(i, dict) else "?" for i in items[:6]) + "]"


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


@check("PAGE-03")
def second_page_seen(tried: int) -> list[Finding]:
    """PAGE-03 (INFO): no list had a second page, so cursor stability was not
    observable; `tried` is how many cursors were re-sent."""
    if tried:
        return []
    return [info("PAGE-03", "no list has a second page; cursor stability not observable")]
