"""`mcp-harness run --server-cmd CMD --http-url URL [--http-cmd CMD]`: stdio and HTTP in one run.

Why two processes: a pytest run has one target (its fixtures, its sandbox, its
AUTH probe), and the two transports are independent, so they run side by side,
each an ordinary `mcp-harness run` into REPORT/stdio and REPORT/http (its own
report, failures and log), and the two reports are combined into REPORT
(harness/report/matrix.py): one gate, one table with a column per transport and
protocol version. Each child runs in its own process group and is reaped; a
child that outlives RUN_TIMEOUT is killed with its group.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

EXIT_NOT_RUN = 2
RUN_TIMEOUT = 3600.0  # seconds for both children together: a hung run is killed, never waited on forever
KILL_GRACE = 5.0


def child_argv(args: argparse.Namespace, transport: str, report: Path) -> list[str]:
    """The `mcp-harness run` of one transport, with every option of the parent run."""
    argv = [sys.executable, "-m", "harness.cli", "run"]
    if transport == "stdio":
        argv += ["--server-cmd", args.server_cmd]
    else:
        argv += ["--server-url", args.http_url] + (["--server-cmd", args.http_cmd] if args.http_cmd else [])
        argv += [item for header in args.mcp_header for item in ("--mcp-header", header)]
        if args.mcp_auth:
            argv.append("--mcp-auth")
    argv += [item for env in args.server_env for item in ("--server-env", env)]
    if args.server_cwd:
        argv += ["--server-cwd", args.server_cwd]
    argv += ["--timeout", str(args.timeout), "--report", str(report)]
    argv += ["--protocol-version", args.protocol_version]
    for flag, value in (
        ("--baseline", args.baseline),
        ("--sandbox", args.sandbox),
        ("--persona", args.persona),
        ("-k", args.keyword),
        ("-n", args.workers),
        ("--shard", args.shard),
    ):
        if value:
            argv += [flag, value]
    argv += [
        flag
        for flag, on in (
            ("--strict", args.strict),
            ("--call-tools", args.call_tools),
            ("--every-version", args.every_version),
        )
        if on
    ]
    if args.pytest_args:
        argv += ["--", *args.pytest_args]
    return argv


def run_both(args: argparse.Namespace) -> int:
    if not args.server_cmd or args.server_url:
        print(
            "mcp-harness run: --http-url goes with --server-cmd (the stdio run), not --server-url",
            file=sys.stderr,
        )
        return EXIT_NOT_RUN
    out = Path(args.report)
    children: dict[str, tuple[subprocess.Popen[bytes], IO[bytes]]] = {}
    started = time.monotonic()
    try:
        for transport in ("stdio", "http"):
            folder = out / transport
            folder.mkdir(parents=True, exist_ok=True)
            log = (folder / "run.log").open("wb")
            proc = subprocess.Popen(
                child_argv(args, transport, folder),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as one, with its servers
            )
            children[transport] = (proc, log)
        for transport, (proc, _log) in children.items():
            left = max(1.0, RUN_TIMEOUT - (time.monotonic() - started))
            try:
                code = proc.wait(timeout=left)
            except subprocess.TimeoutExpired:
                print(
                    f"mcp-harness run: the {transport} run took over {RUN_TIMEOUT:g} s: killed",
                    file=sys.stderr,
                )
                _kill(proc)
                code = EXIT_NOT_RUN
            print(
                f"  {transport}: exit {code} after {time.monotonic() - started:.0f} s "
                f"({out / transport}/run.log)"
            )
    finally:
        for proc, log in children.values():
            if proc.poll() is None:
                _kill(proc)
            log.close()
    return combine_into(out, list(children))


def combine_into(out: Path, transports: list[str]) -> int:
    """Combine REPORT/<transport>/report.json into REPORT and print the summary; the gate's exit code."""
    from harness.report.console import summary_lines
    from harness.report.matrix import combine
    from harness.report.write import write_all

    reports: dict[str, dict[str, Any]] = {}
    for transport in transports:
        path = out / transport / "report.json"
        if not path.exists():
            tail = (out / transport / "run.log").read_text(errors="replace")[-3000:]
            print(f"mcp-harness run: the {transport} run wrote no report:\n{tail}", file=sys.stderr)
            return EXIT_NOT_RUN
        reports[transport] = json.loads(path.read_text(encoding="utf-8"))
    report = combine(reports)
    write_all(out, report, [])
    for line in summary_lines(report, str(out)):
        print(line)
    return int(report["gate"]["exit_code"])


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's group, then SIGKILL after KILL_GRACE; always reaped."""
    for sig, grace in ((signal.SIGTERM, KILL_GRACE), (signal.SIGKILL, KILL_GRACE)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.wait(timeout=KILL_GRACE)
