"""Concurrency and session isolation under load (CONC-01..03), proven against the sandbox.

N sessions (HTTP: N Mcp-Session-Ids; stdio: N server processes) each hold M
requests in flight at once, with the same ids on every session, and every
request reads a *different* seeded record whose right content the sandbox
knows. The checks (harness/checks/concurrency.py) then read each reply for
whose record it carries. Works on any server whose tools, resource templates
or prompts read one record by id (harness/readers.py); skipped with the reason
otherwise, and without the sandbox (nothing would know the right answer).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.burst import close_all, fire
from harness.checks.concurrency import crossed_replies, dropped_replies, labels, markers, quotes_own, unproven
from harness.protocol.session import Session
from harness.readers import NO_READER, Reader, find_readers
from suites._enterprise import once_per_run

pytestmark = [pytest.mark.requires_sandbox]

SESSIONS = 3  # separate sessions (HTTP) or processes (stdio)
IN_FLIGHT = 8  # requests in flight on each session at once
NO_QUOTE = "no reader's reply quotes the record it read (no unique field of it), so crossing cannot be seen"


def calibrated(session: Session, readers: list[Reader], records: Any) -> list[Reader]:
    """The readers whose reply, asked alone, quotes its record: only those can show a crossing."""
    kept = []
    for reader in readers:
        record = records.sample(reader.kind, 1, offset=len(kept) + 3)[0]
        exchange = session.request(reader.method, reader.params(record.key))
        if quotes_own(exchange, record.label(), markers(labels([record]))):
            kept.append(reader)
    return kept


def plan_for(readers: list[Reader], records: Any) -> tuple[list[list[tuple[Reader, Any, str]]], dict]:
    """Which reader reads which record on which session: every record different, readers mixed."""
    slots = [readers[(s * IN_FLIGHT + j) % len(readers)] for s in range(SESSIONS) for j in range(IN_FLIGHT)]
    wanted: dict[str, int] = {}
    for reader in slots:
        wanted[reader.kind] = wanted.get(reader.kind, 0) + 1
    pools = {kind: records.sample(kind, count, offset=11) for kind, count in wanted.items()}
    plan: list[list[tuple[Reader, Any, str]]] = [[] for _ in range(SESSIONS)]
    fields: dict[str, dict[str, str]] = {}
    for slot, reader in enumerate(slots):
        record = pools[reader.kind].pop()
        plan[slot // IN_FLIGHT].append((reader, record.key, record.label()))
        fields.update(labels([record]))
    return plan, fields


@pytest.mark.rule("CONC-01", "CONC-02", "CONC-03")
def test_conc_sessions_under_load_each_get_their_own_record(mcp_session, mcp_connect, verdict, sandbox):
    once_per_run(verdict)
    readers = find_readers(mcp_session, verdict.run.call_tools)
    if not readers:
        pytest.skip(NO_READER)
    from sandbox.records import Records  # psycopg and httpx: only when the test runs (start-up cost)

    records = Records(sandbox)
    readers = calibrated(mcp_session, readers, records)
    if not readers:
        pytest.skip(NO_QUOTE)
    plan, fields = plan_for(readers, records)
    sessions = [mcp_connect(open=False) for _ in range(SESSIONS)]  # spawned together, started in parallel
    for session in sessions:
        session.open(verdict.version)
    probes = fire(sessions, plan, timeout=mcp_session.timeout)
    close_all(sessions)
    verdict.add(crossed_replies(probes, fields), dropped_replies(probes), unproven(probes, fields))
