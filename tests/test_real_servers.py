"""The whole suites against real servers, as subprocesses, over stdio and HTTP.

(a) the official Python SDK (`tests/servers/sdk_server.py`), (b) the npm
package `@modelcontextprotocol/server-everything`, (c) servers users run: npm
`@modelcontextprotocol/server-filesystem` and `@modelcontextprotocol/server-memory`,
PyPI `mcp-server-time` and `mcp-server-fetch`. Each package is pinned to an exact
version and installed here on first use, under `.cache/` (npm `--prefix`, or a
venv of its own for PyPI); without npm or a registry the test skips and says why.
A run must FINISH (a report, exit code 0 or 1, no harness error, nothing "not
verified"), and every failing rule must be a known deviation of that server,
listed below and documented with evidence in docs/known-deviations.md.
A failing rule missing from the list is either a new deviation (document it)
or a false alarm of a check (fix the check): never widen the list blindly.
A listed rule that passes is tolerated (some are found by the random property run).

The servers of (c) run without `--mcp-call-tools`: the harness sends their tools
only arguments their schemas forbid, so server-filesystem (given an empty temp
directory) reads and writes nothing, server-memory (its file in the temp dir)
stores nothing, and server-fetch fetches nothing; it is also given a proxy on a
closed loopback port, so a fetch could not leave the machine anyway.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.suite_runner import REPO, SDK_SERVER, SuiteRun, run_suites

CACHE = REPO / ".cache"
EVERYTHING = "@modelcontextprotocol/server-everything"
EVERYTHING_VERSION = "2026.8.31"  # newest on the registry when pinned (`npm view ... version`)
NPM_CACHE = CACHE / "npm-everything"
EVERYTHING_DIR = NPM_CACHE / "node_modules" / "@modelcontextprotocol" / "server-everything"
# Pinned to the newest version on the registry on 2026-12-01 (`npm view NAME version`,
# `pip index versions NAME`); bump deliberately, then rerun and re-adjudicate.
NPM_SERVERS = {  # name: (package, version, --prefix directory)
    "filesystem": ("@modelcontextprotocol/server-filesystem", "2026.8.31", CACHE / "npm-filesystem"),
    "memory": ("@modelcontextprotocol/server-memory", "2026.8.31", CACHE / "npm-memory"),
}
PYPI_SERVERS = {  # name: (package, version, venv directory)
    "time": ("mcp-server-time", "2026.10.19", CACHE / "pypi-time"),
    "fetch": ("mcp-server-fetch", "2026.10.24", CACHE / "pypi-fetch"),
}
HTTP_URL = "http://127.0.0.1:{port}/mcp"
TIMEOUT = 10.0  # per response; start-up of a Python SDK process alone takes 1.5 s
DEAD_PROXY = "http://127.0.0.1:9"  # discard port, nothing listens: server-fetch cannot reach out

# Known deviations per server (see docs/known-deviations.md for the spec text and transcripts).
SDK_DEVIATIONS = {
    "RPC-08",  # invalid JSON is dropped silently, no -32700
    "RPC-09",  # structurally invalid requests are dropped silently, no -32600
    "LIVE-01",  # tools/call with params: 5 is never answered
    "TOOL-05",  # an unknown tool is an isError result, not a JSON-RPC error
    "TOOL-14",  # tools/call with 200-deep nested arrays as an argument is never answered
}
EVERYTHING_DEVIATIONS = {
    "CAP-05",  # a taskSupport "required" tool called without a task: isError result, not error -32601
    "TOOL-05",  # an unknown tool is an isError result ("MCP error -32602: Tool ... not found")
}
# What every stdio server built on the TypeScript SDK 1.x does with malformed frames.
TS_STDIO_DEVIATIONS = {
    "RPC-08",  # invalid JSON is dropped silently
    "RPC-09",  # structurally invalid requests are dropped silently
    "RPC-11",  # tools/call with params: 5 (or false, or a string) is dropped silently (no -32602)
    "LIVE-01",  # ... and so never answered (the property run files the drop under either rule)
}
# The same for the Python SDK (`mcp` 2.3.0) on stdio, plus frames nested past its parser's limit.
PY_STDIO_DEVIATIONS = TS_STDIO_DEVIATIONS | {
    "TOOL-14",  # a tools/call with an argument nested 200 deep is never answered
}
EXPECTED: dict[str, set[str]] = {
    "sdk-stdio": SDK_DEVIATIONS | {"RPC-11"},  # params: 5 is dropped silently (no -32602; HTTP answers 400)
    "sdk-http": SDK_DEVIATIONS,
    "everything-stdio": EVERYTHING_DEVIATIONS | TS_STDIO_DEVIATIONS,
    "everything-http": EVERYTHING_DEVIATIONS
    | {
        "HTTP-01",  # Origin: http://evil.example is served (CORS "*", no Origin check)
        "HTTP-L06",  # a DELETEd session id gets 400, not 404
        "RPC-12",  # a POSTed batch on 2025-11-25 is processed (200, SSE with the responses)
    },
    "filesystem-stdio": TS_STDIO_DEVIATIONS
    | {
        "CAP-05",  # tools/call with task metadata, tasks undeclared: error -32603, not processed normally
        "TOOL-05",  # an unknown tool is an isError result ("MCP error -32602: Tool ... not found")
    },
    "memory-stdio": TS_STDIO_DEVIATIONS | {"CAP-05", "TOOL-05"},  # as server-filesystem
    "time-stdio": PY_STDIO_DEVIATIONS,
    "fetch-stdio": PY_STDIO_DEVIATIONS,
}
# server-everything's trigger-long-running-operation runs 10 s with its default arguments:
# the per-response timeout must be longer than that, or LIVE-01/TOOL-14 would misfire.
TIMEOUTS = {"everything-stdio": 25.0, "everything-http": 25.0}
# Tools called with valid arguments (--mcp-call-tools) only where that has no effect outside the test.
CALLS_TOOLS = {"sdk-stdio", "sdk-http", "everything-stdio", "everything-http"}


def skip_reason(text: str) -> str:
    """The head of an installer's stderr (npm and pip name the error first), minus noise:
    pip's notes on ignored local indexes and npm's stack frames."""
    noise = re.compile(r"^WARNING: Location|^(npm error)?\s+at |^npm error\s*$")
    lines = [line.strip() for line in text.strip().splitlines() if not noise.search(line)]
    return " | ".join(lines)[:400] or "no output"


def npm_entry(package: str, version: str, prefix: Path) -> Path:
    """dist/index.js of a pinned npm package, installed with `npm --prefix` if needed."""
    package_dir = prefix / "node_modules" / package
    entry, manifest = package_dir / "dist" / "index.js", package_dir / "package.json"
    if entry.exists() and json.loads(manifest.read_text()).get("version") == version:
        return entry
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("npm or the npm registry is not reachable: npm/node not installed")
    prefix.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), f"{package}@{version}"],
            capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm or the npm registry is not reachable: npm install {package}@{version} timed out")
    if proc.returncode != 0 or not entry.exists():
        pytest.skip(f"npm or the npm registry is not reachable: {skip_reason(proc.stderr)}")
    return entry


def everything_entry() -> Path:
    """dist/index.js of the pinned server-everything, installed with npm if needed."""
    return npm_entry(EVERYTHING, EVERYTHING_VERSION, NPM_CACHE)


def pypi_script(package: str, version: str, venv: Path) -> Path:
    """The console script of a pinned PyPI package in a venv of its own, made with pip if needed."""
    script, python = venv / "bin" / package, venv / "bin" / "python"
    dist_info = f"lib/python*/site-packages/{package.replace('-', '_')}-{version}.dist-info"
    if script.exists() and any(venv.glob(dist_info)):
        return script
    try:
        if not python.exists():
            shutil.rmtree(venv, ignore_errors=True)
            made = subprocess.run(
                [sys.executable, "-m", "venv", str(venv)],
                capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
            )  # fmt: skip
            if made.returncode != 0:
                pytest.skip(f"cannot make a venv for {package}: {skip_reason(made.stderr)}")
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        proc = subprocess.run(
            [*pip, f"{package}=={version}"],
            capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip(f"PyPI is not reachable: pip install {package}=={version} timed out")
    if proc.returncode != 0 or not script.exists():
        pytest.skip(f"PyPI is not reachable: pip install {package}=={version}: {skip_reason(proc.stderr)}")
    return script


def target(name: str, scratch: Path) -> tuple[str, str | None]:
    """(server command, URL or None) for one server and transport; `scratch` is its own temp dir."""
    if name == "sdk-stdio":
        return f"{sys.executable} {SDK_SERVER}", None
    if name == "sdk-http":
        return f"{sys.executable} {SDK_SERVER} --http {{port}}", HTTP_URL
    node = shutil.which("node") or "node"
    if name == "everything-stdio":
        return f"{node} {everything_entry()} stdio", None
    if name == "everything-http":
        return f"env PORT={{port}} {node} {everything_entry()} streamableHttp", HTTP_URL
    server = name.removesuffix("-stdio")
    if server == "filesystem":  # the one directory it may touch: empty, and left so (checked)
        return shlex.join([node, str(npm_entry(*NPM_SERVERS[server])), str(scratch)]), None
    if server == "memory":  # its knowledge graph file (default: next to dist/index.js)
        memory_file = f"MEMORY_FILE_PATH={scratch / 'memory.jsonl'}"
        return shlex.join(["env", memory_file, node, str(npm_entry(*NPM_SERVERS[server]))]), None
    script = str(pypi_script(*PYPI_SERVERS[server]))
    if server == "time":  # not the host's zone: the same answers on every machine
        return shlex.join([script, "--local-timezone", "UTC"]), None
    return shlex.join([script, "--proxy-url", DEAD_PROXY]), None


def finished(run: SuiteRun) -> list[str]:
    """Why the run did not finish as a verdict on the server (empty when it did)."""
    problems = []
    if not run.report:
        problems.append("no report.json")
    if run.returncode not in (0, 1):
        problems.append(f"exit code {run.returncode}")
    if run.report.get("server", {}).get("notVerifiedReason"):
        problems.append("not verified: " + run.report["server"]["notVerifiedReason"])
    if "not_verified" in run.verdicts().values():
        problems.append("rules not verified")
    if re.search(r"\b\d+ errors?\b", run.output) or "INTERNALERROR" in run.output:
        problems.append("pytest errors (a harness bug)")
    for rule in run.report.get("rules", []):
        for found in rule.get("findings", []):
            if "harness error" in found.get("message", ""):
                problems.append(f"harness error: {found['message'][:200]}")
    return problems


@pytest.mark.parametrize("name", list(EXPECTED))
def test_real_server_run_finishes_with_only_known_deviations(tmp_path, name):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    command, url = target(name, scratch)
    started = time.monotonic()
    run = run_suites(
        tmp_path / "report",
        server_cmd=command,
        server_url=url,
        timeout=TIMEOUTS.get(name, TIMEOUT),
        call_tools=name in CALLS_TOOLS,
    )
    elapsed = time.monotonic() - started
    print(f"{name}: {elapsed:.0f} s, failing {sorted(run.failing())}, warning {sorted(run.warning())}")
    assert finished(run) == [], run.output
    unexpected = run.failing() - EXPECTED[name]
    assert unexpected == set(), f"undocumented failures on {name}: {sorted(unexpected)}\n{run.output}"
    if name not in CALLS_TOOLS:  # only arguments the schemas forbid were sent: nothing written
        assert sorted(p.name for p in scratch.iterdir()) == [], f"{name} wrote into its scratch directory"


def test_every_expected_failure_is_documented():
    """Each server's pinned version and each rule it may fail have an entry in docs/known-deviations.md."""
    text = (REPO / "docs" / "known-deviations.md").read_text(encoding="utf-8")
    for server, (package, version, _) in {**NPM_SERVERS, **PYPI_SERVERS}.items():
        start = text.find(f"## `{package}` {version}")
        assert start >= 0, f"no section '## `{package}` {version}' in docs/known-deviations.md"
        end = text.find("\n## ", start + 1)
        section = text[start : end if end >= 0 else len(text)]
        missing = {rule for rule in EXPECTED[f"{server}-stdio"] if not re.search(rf"\b{rule}\b", section)}
        assert missing == set(), f"{package} {version}: no entry for {sorted(missing)}"
