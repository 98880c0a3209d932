"""The action's own shell steps, run for real: the run step against the spec server, then the summary step.

GitHub runs a composite step's `run` with `bash -e {0}` and the step's `env`;
this does the same with the installed `mcp-harness`, a faulty spec server and
the extra `args` input limiting the run to one test, then checks the step
output, the reports and the job summary.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.suite_runner import REPO, spec_server_cmd

ACTION = REPO / "action.yml"


def run_step(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    path = cwd / "step.sh"
    path.write_text(script, encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)  # where `mcp-harness` and `python` are installed
    full = {**os.environ, **env, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_run_and_summary_steps_write_reports_output_and_summary(tmp_path: Path) -> None:
    steps = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]
    run = next(s for s in steps if s.get("id") == "run")
    summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    output, step_summary = tmp_path / "output", tmp_path / "summary.md"
    env = {
        "MCP_SERVER_CMD": spec_server_cmd("RPC-02-id-as-string"),
        "MCP_SERVER_URL": "",
        "MCP_PROTOCOL_VERSION": "latest",
        "MCP_BASELINE": "",
        "MCP_ARGS": f"-k test_rpc02 --timeout 8 --server-env {shlex.quote('NOTE=two words')}",
        "MCP_REPORT_DIR": "reports",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(step_summary),
    }
    done = run_step(run["run"], env, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]  # the Gate step fails the job
    assert output.read_text().strip() == "exit-code=1", done.stdout[-3000:]
    for name in ("report.json", "report.md", "report.html", "report.sarif", "junit.xml"):
        assert (tmp_path / "reports" / name).exists(), name

    done = run_step(
        summary["run"], {"MCP_REPORT_DIR": "reports", "GITHUB_STEP_SUMMARY": str(step_summary)}, tmp_path
    )
    assert done.returncode == 0, done.stderr
    text = step_summary.read_text(encoding="utf-8")
    assert text.startswith("# MCP conformance report") and "RPC-02" in text


def test_run_step_without_a_server_reports_not_run(tmp_path: Path) -> None:
    steps = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]
    run = next(s for s in steps if s.get("id") == "run")
    output = tmp_path / "output"
    env = {"MCP_SERVER_CMD": "", "MCP_SERVER_URL": "", "MCP_ARGS": "", "GITHUB_OUTPUT": str(output)}
    done = run_step(run["run"], env, tmp_path)
    assert done.returncode == 0 and output.read_text().strip() == "exit-code=2"
    assert "::error::mcp-harness: give the server-cmd or server-url input" in done.stdout
