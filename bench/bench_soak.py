"""Benchmark: the soak (SLO-*) against the reference server, with its figures printed.

One local sandbox (PostgreSQL, Jira, identity provider), the reference server
over stdio (examples/enterprise_server.py, rate limit off: the soak measures
the server, not its limiter), one session keeping `--in-flight` calls
outstanding for `--seconds` or `--calls`, whichever ends first. In the middle
the sandbox refuses PostgreSQL, then storms Jira with 429 (sandbox/chaos.py).
Printed: calls and rate, errors, p50/p95/p99 per call, RSS and open-fd start,
end and slope, database connections, recovery time, acknowledged writes and
the SLO verdicts, from the same code the suite uses (harness/soak/,
harness/checks/slo.py).

Run: ``.venv/bin/python bench/bench_soak.py [--calls 3000] [--seconds 60] [--in-flight 8]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.checks.slo import lost_writes, outage_and_recovery, recovery_seconds, resource_growth
from harness.protocol.session import Session
from harness.readers import find_readers
from harness.soak.driver import Profile
from harness.soak.figures import growth, latencies, slope
from harness.soak.mix import mix, write_call
from harness.soak.observed import soak_observed
from harness.transport.stdio import StdioTransport
from sandbox.chaos import Chaos, ConnectionCounter
from sandbox.records import Records
from sandbox.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
SERVER = [sys.executable, str(ROOT / "examples" / "enterprise_server.py")]
VERSION = "2025-11-25"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--in-flight", type=int, default=8)
    args = parser.parse_args()
    profile = Profile(
        seconds=args.seconds,
        max_calls=args.calls,
        in_flight=args.in_flight,
        chaos_at=args.seconds * 0.4,
        chaos_for=min(5.0, args.seconds * 0.1),
        sample_every=max(0.1, args.seconds / 300),
    )
    with Sandbox(seed=42, provider="local") as sandbox:
        env = {**os.environ, **sandbox.env(), "ENTERPRISE_RATE_LIMIT": "0"}
        transport = StdioTransport(SERVER, env=env, cwd=str(ROOT))
        transport.start()
        try:
            session = Session(transport, timeout=10)
            if not session.open(VERSION).ok:
                print("the reference server did not open a session", file=sys.stderr)
                return 2
            records = Records(sandbox)
            readers = find_readers(session, call_tools=True)
            calls = mix(readers, records, session.harmless_method, write_call(session.tools))
            pid = transport.proc.pid if transport.proc else None
            seen = soak_observed(session, calls, profile, pid=pid, sandbox=sandbox, records=records,
                                 chaos=Chaos(sandbox), counter=ConnectionCounter(sandbox))  # fmt: skip
        finally:
            transport.close()
    report(seen.soak, seen.samples, profile, seen.acknowledged, seen.missing, seen.created)
    return 0


def report(
    soak: Any, samples: list[Any], profile: Profile, acknowledged: int, missing: list[str], created: int
) -> None:
    """Print the figures and the SLO verdicts."""
    answered = [o for o in soak.outcomes if o.elapsed is not None]
    rate = len(answered) / soak.seconds
    errors = sum(not o.ok for o in answered)
    unanswered = len(soak.outcomes) - len(answered)
    head = f"soak: {len(answered)} calls answered in {soak.seconds:.1f} s ({rate:.0f}/s)"
    print(f"{head}, {profile.in_flight} in flight, {errors} errors, {unanswered} unanswered")
    per_call: dict[str, list[float]] = {}
    for outcome in answered:
        per_call.setdefault(outcome.label, []).append(float(outcome.elapsed or 0.0))
    print(f"{'call':58} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for lat in latencies(per_call):
        ms = " ".join(f"{value * 1e3:>8.1f}" for value in (lat.p50, lat.p95, lat.p99))
        print(f"{lat.method[:58]:58} {lat.count:>5} {ms}")
    times = [s.at for s in samples]
    series = (("RSS", "rss_mb", "MiB"), ("open fds", "fds", ""), ("db connections", "db_connections", ""))
    for name, field, unit in series:
        values = [float(getattr(s, field)) for s in samples if getattr(s, field) is not None]
        if values and len(values) == len(times):
            per_minute = slope(times, values) * 60
            span = f"{name}: {values[0]:.1f} -> {values[-1]:.1f}{' ' + unit if unit else ''}"
            print(
                f"{span} (growth {growth(values):+.1f}, slope {per_minute:+.2f}/min, {len(values)} samples)"
            )
    began, ended = soak.chaos_began, soak.chaos_ended
    during = [o for o in soak.outcomes if began is not None and began <= o.sent <= (ended or began)]
    print(f"outage {began:.1f}-{ended:.1f} s: {len(during)} calls, {sum(not o.ok for o in during)} errors")
    print(f"recovery after the outage: {recovery_seconds(soak)} s")
    print(f"writes acknowledged {acknowledged}, Jira issues created {created}, keys missing {len(missing)}")
    verdicts = {
        "SLO-01": resource_growth(samples, soak),
        "SLO-02": outage_and_recovery(soak),
        "SLO-03": lost_writes(acknowledged, missing, created),
    }
    for rule, found in verdicts.items():
        print(f"{rule}: {'pass' if not found else '; '.join(f.line() for f in found)}")


if __name__ == "__main__":
    sys.exit(main())
