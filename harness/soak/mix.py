"""The soak's mix of calls, built from what the server offers (the suite and the bench share it).

Reads by id through tools and resources (harness/readers.py; prompts render
text for a model, not a data path), a listing and a ping (no backend), and the
write whose acknowledgements SLO-03 holds to account: a tool that may write and
names a customer, with valid arguments, twice per round so that a Jira storm
meets some writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from harness.property.examples import NoExample, valid_arguments
from harness.readers import Reader, kind_of
from harness.soak.driver import Call, Outcome

RECORDS_PER_KIND = 40
KEY = re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b")  # an issue key an acknowledgement quotes (SUP-302)


def read_calls(readers: Sequence[Reader], records: Any) -> list[Call]:
    """One call per tool or resource reader, cycling through RECORDS_PER_KIND seeded records."""
    calls = []
    for reader in readers:
        if reader.method == "prompts/get":
            continue
        keys = [r.key for r in records.sample(reader.kind, RECORDS_PER_KIND, offset=5)]

        def params(i: int, reader: Reader = reader, keys: list[Any] = keys) -> dict[str, Any]:
            return reader.params(keys[i % len(keys)])

        calls.append(Call(reader.describe(), reader.method, params))
    return calls


def write_call(tools: dict[str, dict[str, Any]]) -> Call | None:
    """A tool that may write and names a customer, or None."""
    for tool in tools.values():
        annotations = tool.get("annotations") if isinstance(tool.get("annotations"), dict) else {}
        schema = tool.get("inputSchema") if isinstance(tool.get("inputSchema"), dict) else {}
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        target = next((n for n in props if kind_of(n) == "customer"), None)
        if annotations.get("readOnlyHint") is True or target is None:
            continue
        try:
            arguments = valid_arguments(schema)
        except NoExample:
            continue

        def params(i: int, name: str = tool["name"], base: dict = arguments, field: str = target) -> dict:
            return {"name": name, "arguments": {**base, field: 1 + (i * 7) % 900}}

        return Call(f"tool {tool['name']!r} (write)", "tools/call", params, write=True)
    return None


def mix(readers: Sequence[Reader], records: Any, harmless: str, write: Call | None) -> list[Call]:
    """The round of calls the driver cycles through; empty when nothing reads a record."""
    calls = read_calls(readers, records)
    if not calls:
        return []
    calls += [
        Call("tools/list", "tools/list", lambda i: {}, backend=False),
        Call(harmless, harmless, lambda i: {}, backend=False),
    ]
    if write is not None:  # twice per round: the Jira storm must meet some writes
        calls[len(calls) // 2 : len(calls) // 2] = [write]
        calls.append(write)
    return calls


def acknowledged_keys(outcomes: Sequence[Outcome]) -> tuple[int, set[str]]:
    """How many writes the server acknowledged, and the keys those acknowledgements quote."""
    keys: set[str] = set()
    count = 0
    for outcome in outcomes:
        if outcome.write and outcome.ok:
            count += 1
            reply = outcome.reply if isinstance(outcome.reply, dict) else {}
            keys.update(KEY.findall(str(reply.get("structuredContent") or reply)))
    return count, keys
