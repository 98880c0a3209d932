"""CONC-01..03: under load, every reply is its own request's, on its own session, with its own id.

Pure functions over the probes of a burst (harness/burst.py) and the fields of
the seeded records they asked for (sandbox/records.py). A reply is read for
*markers*: field values of a probed record (an email, an article paragraph, an
issue key) that no other probed record shares, matched on word boundaries.

How a wrong record is told apart:

* CONC-03 (ids swapped): on one session, the replies that carry another
  request's record form a permutation: every record arrived exactly once, only
  under another request's id. The data is right, the ids are not.
* CONC-01 (crossed): anything else, a record of a request on another session
  (a reply on the wrong session: ids repeat across sessions, so a server that
  keys its replies by id alone hands A's answer to B), or one record served to
  two requests (shared state inside the server).
* CONC-02 (dropped): no reply, while the server answered a sentinel sent after it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from harness.burst import Probe
from harness.checks.registry import check
from harness.findings import Finding, fail, info

MIN_MARKER = 5  # shorter values are shared too often to tell records apart (SUP-1 is five)
EXAMPLES = 3


def _norm(text: str) -> str:
    return " ".join(text.split())


def markers(records: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """Per record label, the field values that only it has among `records`."""
    values = {
        label: [_norm(v) for v in fields.values() if len(_norm(v)) >= MIN_MARKER]
        for label, fields in records.items()
    }
    everything = {label: "\n".join(vals) for label, vals in values.items()}
    out: dict[str, list[str]] = {}
    for label, vals in values.items():
        out[label] = [
            v
            for v in vals
            if not any(_contains(text, v) for other, text in everything.items() if other != label)
        ]
    return out


def _contains(haystack: str, needle: str) -> bool:
    """`needle` in `haystack`, not as part of a longer word or number (SUP-1 is not in SUP-12)."""
    return re.search(r"(?<![A-Za-z0-9])" + re.escape(needle) + r"(?![A-Za-z0-9])", haystack) is not None


def reply_text(exchange: Any) -> str:
    """Every string in a reply's result (text blocks, structured content, resource contents)."""
    strings: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            strings.append(value)
            stripped = value.strip()
            if stripped[:1] in "{[":  # a JSON document inside a text block: its strings, unescaped
                try:
                    walk(json.loads(stripped))
                except ValueError:
                    pass
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(exchange.result)
    return _norm("\n".join(strings))


def carried(exchange: Any, marks: Mapping[str, list[str]]) -> set[str]:
    """The labels of the records whose markers this reply carries."""
    if not exchange.ok:
        return set()
    text = reply_text(exchange)
    return {label for label, values in marks.items() if any(_contains(text, v) for v in values)}


def quotes_own(exchange: Any, label: str, marks: Mapping[str, list[str]]) -> bool:
    """Whether a (calibration) reply quotes its own record: only then can crossing be seen."""
    return label in carried(exchange, {label: marks.get(label, [])})


def _where(probe: Probe) -> str:
    return f"session {probe.session + 1}, id {probe.exchange.id!r}, {probe.reader}"


@check("CONC-01", "CONC-03")
def crossed_replies(probes: list[Probe], records: Mapping[str, Mapping[str, str]]) -> list[Finding]:
    """CONC-01 (MUST): a reply carries only its own request's record; CONC-03 (MUST): the ids are
    not swapped. Judged on the replies that quote a record at all (errors prove nothing)."""
    marks = markers(records)
    owner = {p.record: p for p in probes}
    wrong: list[tuple[Probe, Probe]] = []  # (the request, the request whose record it got)
    mixed: set[str] = set()  # requests whose reply carried their own record too
    for probe in probes:
        found = carried(probe.exchange, marks)
        foreign = sorted(found - {probe.record})
        if foreign:  # with or without its own record beside it: B's data is in A's answer
            wrong.append((probe, owner[foreign[0]]))
            if probe.record in found:
                mixed.add(probe.record)
    if not wrong:
        return []
    swapped, crossed = _split_swaps(wrong, mixed)
    found: list[Finding] = []
    if crossed:
        lines = []
        for probe, other in crossed[:EXAMPLES]:
            where = "a reply on the wrong session" if other.session != probe.session else "shared state"
            lines.append(
                f"{_where(probe)} asked for {probe.record} and got {other.record}, asked by "
                f"{_where(other)} ({where})"
            )
        found.append(
            fail(
                "CONC-01",
                f"{len(crossed)} of {len(probes)} concurrent replies carried another request's record: "
                + "; ".join(lines),
                *[_evidence(p, o) for p, o in crossed[:EXAMPLES]],
            )
        )
    if swapped:
        lines = [f"{_where(p)} asked for {p.record} and got {o.record}" for p, o in swapped[:EXAMPLES]]
        found.append(
            fail(
                "CONC-03",
                f"{len(swapped)} of {len(probes)} concurrent replies carried the id of another request "
                f"of the same session (each record arrived once, under the wrong id): " + "; ".join(lines),
                *[_evidence(p, o) for p, o in swapped[:EXAMPLES]],
            )
        )
    return found


def _split_swaps(
    wrong: list[tuple[Probe, Probe]], mixed: set[str]
) -> tuple[list[tuple[Probe, Probe]], list[tuple[Probe, Probe]]]:
    """Swapped ids are cycles on one session: A got B's record, B got A's (or A->B->C->A), each
    record delivered once and without its own beside it. Every other wrong reply crossed."""
    delivered = Counter(o.record for _, o in wrong)
    following = {p.record: o.record for p, o in wrong if o.session == p.session and p.record not in mixed}

    def in_cycle(start: str) -> bool:
        seen: set[str] = set()
        current = start
        while current in following and current not in seen:
            seen.add(current)
            current = following[current]
        return current == start and all(delivered[label] == 1 for label in seen)

    swapped = [(p, o) for p, o in wrong if p.record in following and in_cycle(p.record)]
    crossed = [(p, o) for p, o in wrong if (p, o) not in swapped]
    return swapped, crossed


@check("CONC-02")
def dropped_replies(probes: list[Probe]) -> list[Finding]:
    """CONC-02 (MUST): every request in flight gets its reply on its own session."""
    dropped = [p for p in probes if p.dropped]
    if not dropped:
        return []
    sessions = Counter(p.session + 1 for p in dropped)
    where = ", ".join(f"session {s}: {n}" for s, n in sorted(sessions.items()))
    examples = "; ".join(f"{_where(p)} for {p.record}" for p in dropped[:EXAMPLES])
    return [
        fail(
            "CONC-02",
            f"{len(dropped)} of {len(probes)} concurrent requests never got a reply ({where}), though "
            f"the server answered a ping sent after them: {examples}",
            *[p.exchange.request for p in dropped[:EXAMPLES]],
        )
    ]


@check("CONC-01")
def unproven(probes: list[Probe], records: Mapping[str, Mapping[str, str]]) -> list[Finding]:
    """CONC-01 (INFO): how many replies were errors or quoted no record, so proved nothing either way."""
    marks = markers(records)
    silent = [p for p in probes if p.exchange.answered and not carried(p.exchange, marks)]
    if not silent:
        return []
    errors = sum(1 for p in silent if not p.exchange.ok or _is_error(p.exchange))
    return [
        info(
            "CONC-01",
            f"{len(silent)} of {len(probes)} concurrent replies quoted no probed record "
            f"({errors} were errors): they prove nothing about crossing",
        )
    ]


def _is_error(exchange: Any) -> bool:
    result = exchange.result
    return isinstance(result, dict) and result.get("isError") is True


def _evidence(probe: Probe, other: Probe) -> dict[str, Any]:
    return {
        "asked": probe.record,
        "request": probe.exchange.request,
        "response": probe.exchange.response,
        "carried": other.record,
        "carried_by": _where(other),
    }


def labels(records: Iterable[Any]) -> dict[str, dict[str, str]]:
    """`{label: fields}` for sandbox records (anything with `label()` and `fields`)."""
    return {record.label(): dict(record.fields) for record in records}
