"""Run the bundled suites against a server as a user would, and read the report.

Each run is a real `pytest suites/` subprocess with `--mcp-report`, so these
tests exercise the whole chain: options, transports, checks, verdicts, files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SPEC_SERVER = REPO / "tests" / "servers" / "spec_server"
SDK_SERVER = REPO / "tests" / "servers" / "sdk_server.py"
RUN_TIMEOUT = 600


@dataclass
class SuiteRun:
    returncode: int
    report: dict[str, Any]
    output: str

    def verdicts(self) -> dict[str, str]:
        return {rule["id"]: rule["verdict"] for rule in self.report.get("rules", [])}

    def failing(self) -> set[str]:
        return {rule_id for rule_id, verdict in self.verdicts().items() if verdict == "fail"}

    def warning(self) -> set[str]:
        return {rule_id for rule_id, verdict in self.verdicts().items() if verdict == "warn"}


def spec_server_cmd(*faults: str, extra: str = "") -> str:
    fault_args = "".join(f" --fault {name}" for name in faults)
    return f"{sys.executable} {SPEC_SERVER}{fault_args}{extra}"


def run_suites(
    out: Path,
    *,
    server_cmd: str | None = None,
    server_url: str | None = None,
    version: str = "latest",
    extra: list[str] | None = None,
    timeout: float = 8.0,  # generous: the 2-core CI box runs two suites at once
    paths: list[str] | None = None,
    call_tools: bool = True,
) -> SuiteRun:
    args = [
        sys.executable,
        "-m",
        "pytest",
        *(paths or [str(REPO / "suites")]),
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    args += ["--protocol-version", version, "--mcp-timeout", str(timeout), "--mcp-report", str(out)]
    if server_cmd:
        args += ["--server-cmd", server_cmd]
    if server_url:
        args += ["--server-url", server_url]
    if call_tools:
        args.append("--mcp-call-tools")  # the test servers have no side effects
    args += extra or []
    proc = subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL
    )
    report_file = out / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    return SuiteRun(proc.returncode, report, proc.stdout[-6000:] + proc.stderr[-3000:])


def list_faults() -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, str(SPEC_SERVER), "--list-faults"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(proc.stdout)
