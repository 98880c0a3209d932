"""Soak and chaos (SLO-01..03): many mixed calls in flight, the backends cut in the middle.

One fresh session keeps a mix of calls in flight (reads by id through tools and
resources, a listing, a ping, and a write) for a bounded time and count, while
the server process (stdio: the harness's own child) and its database
connections are sampled. In the middle the sandbox refuses PostgreSQL and
answers Jira with 429 for a while: the server must answer with errors meanwhile
and succeed again soon after, and every write it acknowledged must be in the
backend at the end. The CI profile takes seconds; `make soak` sets
MCP_SOAK_CALLS (thousands). Skipped without `--sandbox` (the chaos and the
evidence are the sandbox's) and without anything to call.
"""

from __future__ import annotations

import pytest

from harness.checks.slo import figures, lost_writes, outage_and_recovery, resource_growth
from harness.readers import find_readers
from harness.soak.driver import Profile
from harness.soak.mix import mix, write_call
from harness.soak.observed import soak_observed
from suites._enterprise import once_per_run

pytestmark = [pytest.mark.requires_sandbox]


@pytest.mark.rule("SLO-01", "SLO-02", "SLO-03")
def test_slo_soak_with_a_backend_outage(mcp_connect, verdict, clean_sandbox):
    once_per_run(verdict)
    from sandbox.chaos import Chaos, ConnectionCounter  # psycopg: only when the test runs
    from sandbox.records import Records

    sandbox = clean_sandbox
    session = mcp_connect()
    records = Records(sandbox)
    readers = find_readers(session, verdict.run.call_tools)  # lists the tools, so session.tools is full
    write = write_call(session.tools) if verdict.run.call_tools else None
    calls = mix(readers, records, session.harmless_method, write)
    if not calls:
        pytest.skip("nothing reads a seeded record by id through a tool or resource: nothing to soak")
    pid = session.stdio.proc.pid if session.transport.kind == "stdio" and session.stdio.proc else None
    seen = soak_observed(
        session,
        calls,
        Profile.from_env(),
        pid=pid,
        sandbox=sandbox,
        records=records,
        chaos=Chaos(sandbox),
        counter=ConnectionCounter(sandbox),
    )
    soak, samples = seen.soak, seen.samples
    verdict.add(
        resource_growth(samples, soak),
        outage_and_recovery(soak),
        lost_writes(seen.acknowledged, seen.missing, seen.created),
        figures(soak, samples),
    )
