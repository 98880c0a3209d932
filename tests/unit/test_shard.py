"""harness/shard.py and harness/sweep.py: deterministic slices, the pytest hook, the sweep file."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from harness import sweep
from harness.cli import main
from harness.shard import parse_shard, shard_ids, slice_of

pytest_plugins = ("pytester",)

IDS = [f"suites/test_{m}.py::test_{n}" for m in ("tools", "jsonrpc", "http") for n in range(7)]


def test_parse_shard() -> None:
    assert parse_shard("2/3") == (2, 3) and parse_shard(" 1 / 1 ") == (1, 1)
    for bad in ("0/3", "4/3", "3", "a/b", "", "1/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_shards_partition_the_ids_evenly_whatever_the_collection_order() -> None:
    shuffled = IDS[:]
    random.Random(7).shuffle(shuffled)
    shards = [shard_ids(IDS, i, 3) for i in (1, 2, 3)]
    assert [shard_ids(shuffled, i, 3) for i in (1, 2, 3)] == shards  # order of collection is irrelevant
    assert set().union(*shards) == set(IDS) and sum(map(len, shards)) == len(IDS)  # disjoint, complete
    assert {len(s) for s in shards} == {7}
    for module in ("tools", "jsonrpc", "http"):  # each module is spread over every shard
        assert all(any(f"test_{module}.py" in i for i in s) for s in shards)


def test_the_pytest_hook_deselects_outside_the_shard(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_many="\n".join(f"def test_{n}(): pass" for n in range(10)))
    ran = []
    for index in (1, 2, 3):
        result = pytester.runpytest_inprocess("--mcp-shard", f"{index}/3", "-q")
        outcomes = result.parseoutcomes()
        ran.append(outcomes["passed"])
        assert outcomes["deselected"] == 10 - outcomes["passed"]
    assert ran == [4, 3, 3]
    bad = pytester.runpytest_inprocess("--mcp-shard", "5/3")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR


SERVERS = """
servers:
  - name: alpha
    server-cmd: python a.py
  - name: beta
    server-url: http://127.0.0.1:9/mcp
    args: --protocol-version all
    env: {TOKEN: x}
  - name: gamma
    server-cmd: python c.py
    args: ["-k", "ping"]
"""


def test_sweep_file_entries_argv_and_shards(tmp_path: Path) -> None:
    path = tmp_path / "servers.yaml"
    path.write_text(SERVERS, encoding="utf-8")
    entries = sweep.load_entries(path)
    assert [e.name for e in entries] == ["alpha", "beta", "gamma"]
    argv = entries[1].argv(tmp_path)
    assert argv[-6:] == [
        "--server-url",
        "http://127.0.0.1:9/mcp",
        "--server-env",
        "TOKEN=x",
        "--protocol-version",
        "all",
    ]
    assert [e.name for e in slice_of(entries, 1, 2)] == ["alpha", "gamma"]
    assert [e.name for e in slice_of(entries, 2, 2)] == ["beta"]
    for bad in (
        "- {name: x}",
        "- {name: 'a b', server-cmd: y}",
        "[]",
        "- {name: x, server-cmd: y}\n- {name: x, server-cmd: z}",
    ):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(sweep.SweepError):
            sweep.load_entries(path)


def test_sweep_summary_from_report_folders(tmp_path: Path, capsys) -> None:
    path = tmp_path / "servers.yaml"
    path.write_text(SERVERS, encoding="utf-8")
    out = tmp_path / "out"
    for name, code, failing in (("alpha", 0, []), ("beta", 1, ["RPC-02"])):
        (out / name).mkdir(parents=True)
        rules = [{"id": r, "verdict": "fail"} for r in failing] + [{"id": "TOOL-01", "verdict": "pass"}]
        report = {"gate": {"exit_code": code}, "summary": {"fail": len(failing), "pass": 1}, "rules": rules}
        (out / name / "report.json").write_text(json.dumps(report), encoding="utf-8")
    assert main(["sweep", str(path), "--report", str(out), "--summary-only"]) == 1
    table = (out / "sweep.md").read_text(encoding="utf-8")
    assert "| alpha | PASS | 0 | - | 1 |" in table and "| beta | FAIL | 1 | - | 1 | - | - | RPC-02 |" in table
    assert "| gamma | NOT RUN |" in table and "1 of 3 servers pass; exit code 1." in table
    saved = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert [s["result"] for s in saved["servers"]] == ["PASS", "FAIL", "NOT RUN"]
    assert "MCP conformance sweep" in capsys.readouterr().out
