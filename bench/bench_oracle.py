"""Benchmark: what the side-effect oracle adds to each request.

With `--sandbox`, every request is bracketed by two fingerprints of every
backend (harness/oracle.py). This measures, in one run against one local
sandbox (PostgreSQL, Jira, identity provider), the time per request:

- `ping` on the trivial echo server: the oracle's fixed cost, nothing else;
- `tools/call get_customer` on tests/servers/lying_server.py (honest mode):
  a real database read, so the ratio is what a user sees on a typical tool;

each without the oracle (baseline) and with it, plus a third column where the
tool writes (`add_note`), because then `changes_since` also reads the change
log. Medians of `--count` requests, best of `--repeat` rounds.

Run: ``.venv/bin/python bench/bench_oracle.py [--count 300] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.oracle import Oracle
from harness.protocol.session import Session
from harness.transport.stdio import StdioTransport
from sandbox.sandbox import Sandbox

HERE = Path(__file__).resolve().parent
ECHO = [sys.executable, str(HERE / "echo_server.py")]
LYING = [sys.executable, str(HERE.parent / "tests" / "servers" / "lying_server.py")]
VERSION = "2025-11-25"
TARGET_MS = 5.0  # per request: two fingerprints, each under the 5 ms fingerprint target / 2


def per_request(
    command: list[str], env: dict[str, str], calls: list[tuple[str, dict[str, Any]]], sandbox: Any, count: int
) -> float:
    """Median seconds per request of `calls` (cycled), with the oracle attached when `sandbox` is given."""
    transport = StdioTransport(command, env={**os.environ, **env})
    transport.start()
    session = Session(transport, timeout=30)
    try:
        session.initialize(VERSION)
        if sandbox is not None:
            session.observers.append(Oracle(sandbox))
        times = []
        for i in range(count):
            method, params = calls[i % len(calls)]
            started = time.perf_counter()
            exchange = session.request(method, params)
            times.append(time.perf_counter() - started)
            assert exchange.ok, exchange.response
        return statistics.median(times)
    finally:
        session.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="requests per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per figure (best is kept)")
    args = parser.parse_args()

    read = ("tools/call", {"name": "get_customer", "arguments": {"customer_id": 7}})
    write = ("tools/call", {"name": "add_note", "arguments": {"customer_id": 7, "body": "bench"}})
    cases = [
        ("ping (echo server)", ECHO, [("ping", {})]),
        ("tools/call read (db)", LYING, [read]),
        ("tools/call write (db)", LYING, [write]),
    ]
    with Sandbox(provider="local") as sandbox:
        env = sandbox.env()
        print(f"{'request':<23} {'without ms':>10} {'with ms':>8} {'added ms':>9} {'ratio':>6}  target")
        print("-" * 72)
        for label, command, calls in cases:
            without = min(per_request(command, env, calls, None, args.count) for _ in range(args.repeat))
            sandbox.reset()
            with_oracle = []
            for _ in range(args.repeat):
                with_oracle.append(per_request(command, env, calls, sandbox, args.count))
                sandbox.reset()
            added_ms = (min(with_oracle) - without) * 1000
            verdict = "ok" if added_ms <= TARGET_MS else "MISSED"
            print(
                f"{label:<23} {without * 1000:>10.2f} {min(with_oracle) * 1000:>8.2f} {added_ms:>9.2f} "
                f"{min(with_oracle) / without:>5.2f}x  <= {TARGET_MS:.0f} ms added {verdict}"
            )
    print("\nmedian per request; added = with the oracle (fingerprint before and after) minus without")
    return 0


if __name__ == "__main__":
    sys.exit(main())
