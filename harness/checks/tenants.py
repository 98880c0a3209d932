"""TENANT-01..03: with tenant A's token, nothing of tenant B's is read, written or reachable by argument.

Pure functions over the reads and writes the suite made with A's token (as
`Probe`s, like the concurrency oracle's) and the fields of B's seeded records.
A reply is B's when it quotes a marker of one of B's records that A's records
do not share (harness/checks/concurrency.py: `markers`). Error results are not
read: a refusal that echoes the id it was asked for ("no customer 731") leaks
nothing.

* TENANT-01: a resource or prompt addressed to B's record answered with it;
* TENANT-02: a write tool naming B's customer changed a backend (an audit
  table's rows excepted: recording the refusal is right);
* TENANT-03: a tool argument naming B (customer_id, tenant, user) made a read
  tool answer with B's record: the argument overrode the token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.burst import Probe
from harness.checks.concurrency import carried, markers
from harness.checks.registry import check
from harness.findings import Finding, fail

SHOWN = 3


def _quotes(probe: Probe, marks: Mapping[str, list[str]]) -> set[str]:
    result = probe.exchange.result
    if isinstance(result, dict) and result.get("isError") is True:
        return set()
    return carried(probe.exchange, marks)


@check("TENANT-01", "TENANT-03")
def other_tenant_read(
    probes: list[Probe], records: Mapping[str, Mapping[str, str]], theirs: set[str], tenant: str
) -> list[Finding]:
    """TENANT-01 / TENANT-03 (MUST): replies to A carry none of B's records (`theirs`: their labels)."""
    marks = markers(records)
    found: dict[str, list[tuple[Probe, set[str]]]] = {"TENANT-01": [], "TENANT-03": []}
    for probe in probes:
        leaked = _quotes(probe, marks) & theirs
        if leaked:
            rule = "TENANT-03" if probe.exchange.method == "tools/call" else "TENANT-01"
            found[rule].append((probe, leaked))
    out = []
    for rule, hits in found.items():
        if not hits:
            continue
        how = (
            "a tool argument naming the other tenant overrode the token"
            if rule == "TENANT-03"
            else "read through the record's own address"
        )
        lines = "; ".join(
            f"{p.reader} asked for {p.record} and got {', '.join(sorted(got))}" for p, got in hits[:SHOWN]
        )
        out.append(
            fail(
                rule,
                f"with {tenant}'s token, {len(hits)} replies carried another tenant's records "
                f"({how}): {lines}",
                *[{"request": p.exchange.request, "response": p.exchange.response} for p, _ in hits[:SHOWN]],
            )
        )
    return out


@check("TENANT-02")
def other_tenant_written(probes: list[Probe], tenant: str) -> list[Finding]:
    """TENANT-02 (MUST): a write naming B's customer, made with A's token, changes no backend."""
    hits = [
        (p, [c for c in p.exchange.changes if "audit" not in str(getattr(c, "what", ""))]) for p in probes
    ]
    hits = [(p, changes) for p, changes in hits if changes]
    if not hits:
        return []
    lines = "; ".join(
        f"{p.reader} for {p.record}: " + ", ".join(f"{c.backend} {c.operation} {c.what}" for c in changes[:3])
        for p, changes in hits[:SHOWN]
    )
    return [
        fail(
            "TENANT-02",
            f"with {tenant}'s token, {len(hits)} writes on another tenant's behalf changed the "
            f"backends: {lines}",
            *[p.exchange.request for p, _ in hits[:SHOWN]],
        )
    ]


def labelled(records: list[Any]) -> dict[str, dict[str, str]]:
    return {r.label(): dict(r.fields) for r in records}
