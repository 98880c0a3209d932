"""Benchmark: wall time and peak RSS of a full default suite run, over stdio.

Runs ``pytest suites/ --server-cmd ... --mcp-call-tools`` (the default suites,
``--protocol-version latest``) against the spec server (serial and with
``-n 2``), the official SDK server, and the reference server (on the local
sandbox, as ``make conformance`` does, and without a sandbox), and prints tests, wall time, the
harness process's peak RSS (its VmHWM, sampled from /proc until it exits;
servers not included) and the ratio to the serial spec-server run. The baseline
row is ``pytest suites/ --collect-only`` in the same run: start-up and
collection, no server.

Run: ``.venv/bin/python bench/bench_suite.py [--timeout 10] [--only reference]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
SERVERS = {
    "spec": f"{PY} {REPO / 'tests' / 'servers' / 'spec_server'}",
    "sdk": f"{PY} {REPO / 'tests' / 'servers' / 'sdk_server.py'}",
    "reference": f"{PY} {REPO / 'examples' / 'enterprise_server.py'}",
}
BASELINE = REPO / "examples" / "enterprise_baseline.yaml"
TARGET_S = 60.0  # the full default suite against the reference server, on the sandbox


@dataclass
class Measure:
    """One pytest run: how long, how big, what it ran."""

    label: str
    seconds: float
    peak_rss_mb: float
    tests: int | None
    exit_code: int


def measure(label: str, args: list[str], report: Path | None = None) -> Measure:
    """Run `args` (a pytest command line) and sample its VmHWM until it exits."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    peak_kb = 0
    while proc.poll() is None:
        peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    tests = None
    if report is not None and (report / "report.json").exists():
        tests = json.loads((report / "report.json").read_text()).get("tests")
    return Measure(label, seconds, peak_kb / 1024, tests, proc.returncode)


# pytest over the default suites, quiet, no cache: every run below starts with this.
PYTEST_SUITES = [PY, "-m", "pytest", str(REPO / "suites"), "-q", "-p", "no:cacheprovider"]


def suite_args(server_cmd: str, report: Path, timeout: float, extra: list[str]) -> list[str]:
    options = ["--server-cmd", server_cmd, "--mcp-timeout", str(timeout), "--mcp-call-tools"]
    return [*PYTEST_SUITES, *options, "--mcp-report", str(report), *extra]


def _vm_hwm_kb(pid: int) -> int:
    """The process's peak resident set so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def baseline() -> Measure:
    return measure("baseline: collect only", [*PYTEST_SUITES, "--collect-only", "--server-cmd", "true"])


def print_table(rows: list[Measure], reference: Measure) -> None:
    header = f"{'run':<34} {'tests':>6} {'wall s':>8} {'peak RSS MB':>12} {'vs spec serial':>15} {'exit':>5}"
    print(header)
    print("-" * len(header))
    for row in rows:
        tests = "-" if row.tests is None else str(row.tests)
        ratio = row.seconds / reference.seconds if reference.seconds else float("nan")
        print(
            f"{row.label:<34} {tests:>6} {row.seconds:>8.1f} {row.peak_rss_mb:>12.1f} "
            f"{ratio:>14.2f}x {row.exit_code:>5}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="--mcp-timeout for the runs (default 10, the harness default)",
    )
    parser.add_argument("--only", choices=sorted(SERVERS), help="time one server only")
    args = parser.parse_args()
    rows = [baseline()]
    with tempfile.TemporaryDirectory(prefix="mcp-bench-suite-") as tmp:
        for name, cmd in SERVERS.items():
            if args.only and name != args.only:
                continue
            runs = [("serial", [])] + ([("-n 2", ["-n", "2"])] if name == "spec" else [])
            if name == "reference":  # the main job (make conformance), and the same without backends
                sandbox = ["--sandbox", "local", "--mcp-baseline", str(BASELINE)]
                runs = [
                    ("sandbox", sandbox),
                    ("sandbox -n 2", [*sandbox, "-n", "2"]),  # what make conformance runs
                    ("no sandbox", ["--mcp-baseline", str(BASELINE)]),
                ]
            for mode, extra in runs:
                out = Path(tmp) / f"{name}-{mode.replace(' ', '')}"
                rows.append(measure(f"{name} server, {mode}", suite_args(cmd, out, args.timeout, extra), out))
    reference = next((r for r in rows if r.label == "spec server, serial"), rows[-1])
    print_table(rows, reference)
    for label in ("reference server, sandbox", "reference server, sandbox -n 2"):
        row = next((r for r in rows if r.label == label), None)
        if row is not None:
            verdict = "ok" if row.seconds <= TARGET_S else "MISSED"
            print(f"{label}: {row.seconds:.1f} s, target <= {TARGET_S:.0f} s {verdict}")
    print("\npeak RSS = VmHWM of the pytest process (with -n 2: the controller only, not its workers)")
    print("exit = the gate's exit code (0 clean, 1 a MUST rule failed; see docs/known-deviations.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
