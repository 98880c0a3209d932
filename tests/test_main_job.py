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


def test_reference_server_passes_the_gate_with_its_baseline(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "run",
            "--server-cmd",
            SERVER,
            "--sandbox",
            "local",
            "--call-tools",
            "--baseline",
            str(BASELINE),
            "--report",
            str(tmp_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    report = json.loads((tmp_path / "report.json").read_text())
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert report["gate"]["unexpected_failures"] == [], report["gate"]
    assert report["gate"]["stale_baseline"] == [], report["gate"]  # the baseline lists exactly what fails
    assert report["summary"]["pass"] > 40
    for name in ("report.html", "report.md", "junit.xml"):
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
