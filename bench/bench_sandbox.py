"""Benchmark the local sandbox: cold/warm start, reset, fingerprint, against their targets.

    .venv/bin/python bench/bench_sandbox.py [--seed 42] [--scale 1.0] [--runs 3]

Cold start uses a fresh temporary cache dir (so the template is built); warm
start reuses it. The per-target rows measure the postgres backend (the one
with template, reset and fingerprint costs); the last two rows start the whole
default sandbox (postgres + Jira) for context.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from sandbox.sandbox import Sandbox


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3, help="warm starts and resets to take the median of")
    args = parser.parse_args()

    cache = Path(tempfile.mkdtemp(prefix="mcp-sandbox-bench-cache-"))
    os.environ["MCP_SANDBOX_CACHE"] = str(cache)
    rows: list[tuple[str, float, float | None]] = []
    try:

        def make() -> Sandbox:
            return Sandbox(seed=args.seed, provider="local", backends=["postgres"], scale=args.scale)

        cold = make()
        rows.append(("cold start (template built)", _timed(cold.start), None))
        cold.stop()

        warm_times, reset_dirty, reset_clean, fingerprints = [], [], [], []
        for _ in range(args.runs):
            sb = make()
            warm_times.append(_timed(sb.start))
            try:
                url = sb.env()["DATABASE_URL"]
                for _ in range(5):
                    with psycopg.connect(url, autocommit=True) as conn:
                        conn.execute("UPDATE customers SET last_viewed = now() WHERE id = 1")
                    reset_dirty.append(_timed(sb.reset))
                    reset_clean.append(_timed(sb.reset))
                for _ in range(200):
                    fingerprints.append(_timed(sb.fingerprint))
            finally:
                sb.stop()
        stop_sb = make()
        stop_sb.start()
        stop_time = _timed(stop_sb.stop)
        full = Sandbox(seed=args.seed, provider="local", scale=args.scale)  # postgres + jira
        full_start = _timed(full.start)
        try:
            full_fps = [_timed(full.fingerprint) for _ in range(200)]
        finally:
            full.stop()
        rows += [
            ("warm start (template cached)", statistics.median(warm_times), 2.0),
            ("reset() after a write", statistics.median(reset_dirty), 0.200),
            ("reset() when clean", statistics.median(reset_clean), 0.200),
            (f"fingerprint() (median of {len(fingerprints)})", statistics.median(fingerprints), 0.005),
            ("stop()", stop_time, None),
            (f"warm start, all backends ({', '.join(b.name for b in full.backends)})", full_start, 2.0),
            ("fingerprint(), all backends", statistics.median(full_fps), None),
        ]
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    print(f"sandbox bench: seed {args.seed}, scale {args.scale}, runs {args.runs}")
    print(f"{'measure':<44} {'value':>12} {'target':>10} {'target/value':>13}  ok")
    failed = False
    for name, value, target in rows:
        shown = f"{value * 1000:.2f} ms" if value < 1 else f"{value:.2f} s"
        if target is None:
            print(f"{name:<44} {shown:>12} {'-':>10} {'-':>13}")
            continue
        tshown = f"{target * 1000:.0f} ms" if target < 1 else f"{target:.0f} s"
        ok = value < target
        failed |= not ok
        print(f"{name:<44} {shown:>12} {tshown:>10} {target / value:>12.1f}x  {'yes' if ok else 'NO'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
