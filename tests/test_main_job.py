"""The main job end to end: the reference server on the local sandbox passes the
gate with its documented baseline, and the same server with a deliberate bug
is caught with the rule, the transcript and the replay command in the report."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.suite_runner import REPO, run_suites

SERVER = f"{sys.executable} {REPO / 'examples' / 'enterprise_server.py'}"
BASELINE = REPO / "examples" / "enterprise_baseline.yaml"


# The main job's own command line (Makefile `conformance`), cut to a few suites with -k so that
# this proof stays small: both transports, every version, AUTH with the sandbox IdP, the persona,
# and the utilities the reference server serves (logging, completion: nothing skipped by decision).
MAIN_JOB_SUBSET = "test_auth or test_persona or test_logging or test_completion"
VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28")


def test_make_conformance_is_both_transports_at_every_version() -> None:
    """`make -n conformance` is the command the test below runs (only -k and --report differ)."""
    dry = subprocess.run(
        ["make", "-n", "conformance"], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    command = next(line for line in dry.replace("\\\n", " ").splitlines() if "mcp-harness run" in line)
    for part in ("--server-cmd", "--http-cmd", "--http-url", "--sandbox local", "--call-tools"):
        assert part in command, command
    assert "--protocol-version all" in command and f"--baseline {BASELINE.relative_to(REPO)}" in command


def test_reference_server_passes_the_gate_over_both_transports(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "run",
            "--server-cmd",
            SERVER,
            "--http-cmd",
            f"{SERVER} --http --port {{port}}",
            "--http-url",
            "http://127.0.0.1:{port}/mcp",
            "--sandbox",
            "local",
            "--call-tools",
            "--protocol-version",
            "all",
            "--baseline",
            str(BASELINE),
            "--report",
            str(tmp_path),
            "-k",
            MAIN_JOB_SUBSET,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["gate"]["unexpected_failures"] == [] and report["gate"]["stale_baseline"] == []
    assert report["columns"] == [f"{t} {v}" for t in ("stdio", "http") for v in VERSIONS]
    matrix = report["matrix"]
    # AUTH over HTTP, with tokens from the sandbox IdP: every AUTH rule judged somewhere, none failed
    auth = {rule: cells for rule, cells in matrix.items() if rule.startswith("AUTH-")}
    assert len(auth) >= 10 and all("fail" not in cells.values() for cells in auth.values()), auth
    assert matrix["AUTH-01"]["http 2026-07-28"] == "pass"
    # the persona drove set_ticket_priority's input_required round to the end (2026-07-28, both transports)
    for rule in ("INPUT-01", "INPUT-02", "MRTR-03"):  # MRTR-03: the SDK refuses a tampered requestState
        assert matrix[rule]["stdio 2026-07-28"] == matrix[rule]["http 2026-07-28"] == "pass", rule
    assert not any("no multi-round flow" in f["message"] for r in report["rules"] for f in r["findings"])
    legacy = [f"{t} {v}" for t in ("stdio", "http") for v in VERSIONS[:4]]
    assert all(matrix["CAP-03"][c] == "pass" for c in legacy)  # the persona answered mid-call, every version
    # logging and completion are served, so judged wherever they apply: LOG-01 is setLevel (up to
    # 2025-11-25), LOG-03 the per-request logLevel (2026-07-28), COMP-01 has no 2024-11-05 capability
    columns = report["columns"]
    applies = {
        "LOG-01": [c for c in columns if not c.endswith("2026-07-28")],
        "LOG-02": columns,
        "LOG-03": [c for c in columns if c.endswith("2026-07-28")],
        "COMP-01": [c for c in columns if not c.endswith("2024-11-05")],
        "COMP-02": columns,
        "COMP-03": columns,
    }
    for rule, where in applies.items():
        assert [matrix[rule][c] for c in where] == ["pass"] * len(where), (rule, matrix[rule])
    reasons = [r for rule in report["rules"] if rule["id"] in applies for r in rule.get("skip_reasons") or []]
    assert not any("did not declare" in r for r in reasons), reasons
    for header in ("stdio", "http", "26-07-28", "24-11-05"):
        assert header in proc.stdout  # the summary table's columns
    for name in ("report.html", "report.md", "report.sarif", "stdio/report.json", "http/junit.xml"):
        assert (tmp_path / name).stat().st_size > 500


def test_string_matching_sql_is_caught_with_transcript_and_replay(tmp_path):
    run = run_suites(
        tmp_path,
        server_cmd=SERVER,
        extra=["--sandbox", "local", "--server-env", "ENTERPRISE_FAULT=string-matching-sql"],
        paths=[str(REPO / "suites" / "test_side_effects.py")],
        timeout=10,
    )
    assert run.failing() == {"SIDE-01"}, run.output
    side = next(r for r in run.report["rules"] if r["id"] == "SIDE-01")
    finding = next(f for f in side["findings"] if f["severity"] == "fail")
    assert "query_database" in finding["message"] and "postgres" in finding["message"]
    failure_file = tmp_path / finding["failure_file"]
    frames = [json.loads(line) for line in failure_file.read_text().splitlines()[1:]]
    assert any(f.get("dir") == "send" for f in frames)
    markdown = (tmp_path / "report.md").read_text()
    assert f"mcp-harness replay {finding['failure_file']}" in markdown
