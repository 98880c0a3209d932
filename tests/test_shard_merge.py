"""Scale-out end to end: three shards of a real run merge into the unsharded run's verdicts and gate,
and a sweep runs each server of its file into one table.

The spec server carries one fault (RPC-02-id-as-string) so the gate has a
failure to agree on. The unsharded run and the three shards run at the same
time (four processes), which keeps the wall time near one run's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.cli import main
from tests.suite_runner import REPO, spec_server_cmd

FAULT = "RPC-02-id-as-string"


def harness_run(out: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`mcp-harness run` in the background; its output goes to OUT.log (a pipe could fill and stall it)."""
    argv = [sys.executable, "-m", "harness.cli", "run", "--server-cmd", spec_server_cmd(FAULT)]
    argv += ["--report", str(out), "--timeout", "8", *extra]
    with open(f"{out}.log", "wb") as log:
        return subprocess.Popen(argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=log, stderr=log)


def verdicts(report: dict) -> dict[str, tuple[str, dict[str, str]]]:
    return {rule["id"]: (rule["verdict"], rule["versions"]) for rule in report["rules"]}


def ids_of(report: dict) -> set[str]:
    return {test for rule in report["rules"] for test in rule["tests"]}


def test_three_shards_merge_into_the_unsharded_verdicts_and_gate(tmp_path: Path) -> None:
    runs = {"full": harness_run(tmp_path / "full")}
    for index in (1, 2, 3):
        runs[f"s{index}"] = harness_run(tmp_path / f"s{index}", "--shard", f"{index}/3")
    codes = {name: proc.wait(timeout=300) for name, proc in runs.items()}
    output = "\n".join(f"--- {n}\n{(tmp_path / f'{n}.log').read_text()[-3000:]}" for n in runs)
    assert set(codes.values()) == {1}, output

    full = json.loads((tmp_path / "full" / "report.json").read_text(encoding="utf-8"))
    shards = [json.loads((tmp_path / f"s{i}" / "report.json").read_text(encoding="utf-8")) for i in (1, 2, 3)]
    shard_tests = [ids_of(s) for s in shards]
    assert all(shard_tests) and sum(map(len, shard_tests)) == len(ids_of(full)), output
    assert set().union(*shard_tests) == ids_of(full)  # disjoint slices that cover the run

    merged_dir = tmp_path / "merged"
    code = main(["merge", *(str(tmp_path / f"s{i}") for i in (1, 2, 3)), "--report", str(merged_dir)])
    merged = json.loads((merged_dir / "report.json").read_text(encoding="utf-8"))
    assert code == codes["full"] == 1
    assert verdicts(merged) == verdicts(full)
    assert merged["gate"] == full["gate"] and merged["gate"]["failing"] == ["RPC-02"]
    assert merged["summary"] == full["summary"] and merged["tests"] == full["tests"]
    for name in ("report.md", "report.html", "report.sarif", "failures/RPC-02-1.jsonl"):
        assert (merged_dir / name).exists(), name
    assert main(["diff", str(tmp_path / "full"), str(merged_dir)]) == 0  # nothing changed, nothing regressed


def test_sweep_runs_every_server_into_one_table(tmp_path: Path) -> None:
    servers = tmp_path / "servers.yaml"
    only = '["-k", "test_rpc02", "--timeout", "8"]'
    servers.write_text(
        f"servers:\n"
        f"  - name: clean\n    server-cmd: {json.dumps(spec_server_cmd())}\n    args: {only}\n"
        f"  - name: broken\n    server-cmd: {json.dumps(spec_server_cmd(FAULT))}\n    args: {only}\n",
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "sweep", str(servers), "--report", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    results = {s["name"]: (s["result"], s["failing"]) for s in summary["servers"]}
    assert results == {"clean": ("PASS", []), "broken": ("FAIL", ["RPC-02"])}, proc.stdout[-3000:]
    assert (out / "clean" / "report.sarif").exists() and "| broken | FAIL |" in (out / "sweep.md").read_text()
