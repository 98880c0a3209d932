"""Benchmark: peak RSS of the harness during a full suite run, also against hostile servers.

The harness must stay small whatever the server sends: a 100 MB flood on stdout,
100,000-level nested JSON, every response twice. Each row is one full
``pytest suites/`` run (``--mcp-timeout 3``) against the spec server with that
fault; the figure is the pytest process's VmHWM (servers not included), and
the ratio is against ``pytest suites/ --collect-only`` measured in the same
run (what the harness costs before it talks to anyone). Target: under 500 MB.

Run: ``.venv/bin/python bench/bench_memory.py [--faults STDIO-02-flood,...]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_suite import SERVERS, Measure, baseline, measure, suite_args

CEILING_MB = 500
FAULTS = ["", "STDIO-02-flood", "RPC-01-deep-nesting", "RPC-02-duplicate-ids", "STDIO-02-binary-garbage"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", default=",".join(FAULTS), help="spec-server faults ('' = clean)")
    args = parser.parse_args()
    base = baseline()
    rows: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="mcp-bench-memory-") as tmp:
        for fault in args.faults.split(","):
            cmd = SERVERS["spec"] + (f" --fault {fault}" if fault else "")
            out = Path(tmp) / (fault or "clean")
            rows.append(measure(f"spec server {fault or '(clean)'}", suite_args(cmd, out, 3.0, []), out))
    header = f"{'run':<40} {'tests':>6} {'wall s':>7} {'peak RSS MB':>12} {'vs baseline':>12}  target"
    print(header)
    print("-" * len(header))
    label = "baseline: collect only"
    print(f"{label:<40} {'-':>6} {base.seconds:>7.1f} {base.peak_rss_mb:>12.1f} {1.0:>11.2f}x")
    worst = 0.0
    for row in rows:
        worst = max(worst, row.peak_rss_mb)
        verdict = "ok" if row.peak_rss_mb < CEILING_MB else "MISSED"
        print(
            f"{row.label:<40} {row.tests or '-':>6} {row.seconds:>7.1f} {row.peak_rss_mb:>12.1f} "
            f"{row.peak_rss_mb / base.peak_rss_mb:>11.2f}x  < {CEILING_MB} MB {verdict}"
        )
    print("\npeak RSS = VmHWM of the pytest (harness) process, sampled from /proc until it exits")
    return 0 if worst < CEILING_MB else 1


if __name__ == "__main__":
    sys.exit(main())
