"""Run the suites as a user would, and watch what the run costs and leaves behind.

Shared by tests/test_hostile.py and tests/test_parallel.py. Three things are
measured around a real `pytest suites/` subprocess:

- wall time;
- peak RSS: the subprocess runs under a tiny Python wrapper that reports
  `RUSAGE_CHILDREN.ru_maxrss`, i.e. the largest peak of the harness process and
  of every server it waited for (an upper bound on the harness's own peak);
- survivors: every server gets a marker variable through `--server-env`; after
  the run, /proc is scanned for live processes carrying it (this catches
  children that left the process group), and this process is made a child
  subreaper for the run, so orphans that shed the marker still land here and
  show up in `psutil.Process().children(recursive=True)`.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.suite_runner import REPO, SuiteRun

MARKER = "MCP_HOSTILE_TEST_MARK"
PR_SET_CHILD_SUBREAPER = 36

_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[2:], stdin=subprocess.DEVNULL)\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(rc)\n"
)


@dataclass
class Measured:
    """A suite run with what it cost and what it left behind."""

    run: SuiteRun
    seconds: float
    peak_rss_mb: float
    survivors: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"exit {self.run.returncode} in {self.seconds:.1f}s, peak RSS {self.peak_rss_mb:.0f} MB, "
            f"failing {sorted(self.run.failing())}, warning {sorted(self.run.warning())}, "
            f"survivors {self.survivors}\n{self.run.output}"
        )


def suite_args(out: Path, server_cmd: str, *, version: str, timeout: float, extra: list[str]) -> list[str]:
    """The same command line tests/suite_runner.run_suites builds."""
    return [
        sys.executable,
        "-m",
        "pytest",
        str(REPO / "suites"),
        "-q",
        "-p",
        "no:cacheprovider",
        "--protocol-version",
        version,
        "--mcp-timeout",
        str(timeout),
        "--mcp-report",
        str(out),
        "--server-cmd",
        server_cmd,
        "--mcp-call-tools",
        *extra,
    ]


def run_measured(
    out: Path,
    server_cmd: str,
    *,
    version: str = "latest",
    timeout: float = 3.0,
    extra: list[str] | None = None,
    limit: float = 900.0,
) -> Measured:
    """Run the suites against `server_cmd`; report time, peak RSS and survivors."""
    import json

    mark = uuid.uuid4().hex
    rss_file = out.parent / f"{out.name}.maxrss"
    args = suite_args(out, server_cmd, version=version, timeout=timeout, extra=extra or [])
    args += ["--server-env", f"{MARKER}={mark}"]
    started = time.monotonic()
    with subreaper():
        proc = subprocess.run(
            [sys.executable, "-c", _RSS_WRAPPER, str(rss_file), *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=limit,
            stdin=subprocess.DEVNULL,
        )
        seconds = time.monotonic() - started
        left = survivors(mark)
    report_file = out / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    run = SuiteRun(proc.returncode, report, proc.stdout[-6000:] + proc.stderr[-3000:])
    rss_kb = float(rss_file.read_text()) if rss_file.exists() else float("nan")
    return Measured(run, seconds, rss_kb / 1024, left)


def survivors(mark: str, settle: float = 2.0) -> list[str]:
    """Live processes carrying the marker, or adopted by this one, after `settle` seconds at most.

    A process killed with SIGKILL may take a moment to disappear; one that is
    still there after `settle` was left behind.
    """
    deadline = time.monotonic() + settle
    while True:
        found = marked(mark) + adopted()
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def marked(mark: str) -> list[str]:
    """Processes whose environment carries MARKER=mark (zombies have none)."""
    needle = f"{MARKER}={mark}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as environ:
                if needle in environ.read().split(b"\0"):
                    found.append(_describe(int(name)))
        except OSError:
            continue
    return found


# Descendants that were alive before the watched block began: a session-scoped
# sandbox of this test worker (tests/sandbox/conftest.py) is not the run's doing.
_preexisting: set[int] = set()


def adopted() -> list[str]:
    """Live descendants of this process that the watched block started (zombies are reaped)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        if child.pid in _preexisting:
            continue
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                if child.ppid() == os.getpid():
                    _reap(child.pid)
                continue
            found.append(_describe(child.pid))
        except psutil.Error:
            continue
    return found


@contextmanager
def subreaper() -> Iterator[None]:
    """Make this process the reaper of orphans below it while the block runs (Linux)."""
    libc = ctypes.CDLL(None, use_errno=True)
    _preexisting.clear()
    _preexisting.update(child.pid for child in psutil.Process().children(recursive=True))
    on = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    try:
        yield
    finally:
        if on:
            libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _describe(pid: int) -> str:
    try:
        proc = psutil.Process(pid)
        return f"{pid} {' '.join(proc.cmdline())[:120]} ({proc.status()})"
    except psutil.Error:
        return str(pid)
