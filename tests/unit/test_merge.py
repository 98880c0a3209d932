"""harness/report/merge.py: merged shards give the unsharded run's verdicts and gate, always.

The property test splits one run's test records into random shards, builds
each shard's report through the real `verdicts` path, merges them and compares
with the report of all records at once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.report import verdicts
from harness.report.merge import MergeError, merge_reports
from harness.report.write import write_all
from tests.unit.builders import V3, V4
from tests.unit.reports import finding, make_record, report_of

NEEDS_CALLS = "needs successful tool calls: rerun with --mcp-call-tools"
RULES = ["RPC-02", "TOOL-01", "SEC-02", "PROG-01", "LOG-01"]


def records() -> list[verdicts.TestRecord]:
    """Every kind of outcome, at two versions: pass, fail, warn, skip (tools not called), not verified."""
    out = []
    for version in (V3, V4):
        out += [
            make_record(f"t.py::ids[{version}]", ["RPC-02"], version),
            make_record(
                f"t.py::ids2[{version}]",
                ["RPC-02"],
                version,
                findings=[finding("RPC-02", "fail", "bad id")] if version == V4 else [],
            ),
            make_record(f"t.py::list[{version}]", ["TOOL-01"], version),
            make_record(
                f"t.py::errors[{version}]",
                ["SEC-02"],
                version,
                findings=[finding("SEC-02", "warn", "stack trace")],
            ),
            make_record(
                f"t.py::progress[{version}]",
                ["PROG-01"],
                version,
                outcome="skipped",
                skip_reason=NEEDS_CALLS + " (--mcp-call-tools)",
            ),
            make_record(
                f"t.py::log[{version}]", ["LOG-01"], version, outcome="skipped", skip_reason="NOT VERIFIED: x"
            ),
        ]
    return out


def comparable(report: dict) -> dict:
    """What must be equal between merged and unsharded: verdicts, summary, gate, tests, tool stamp."""
    return {
        "rules": {r["id"]: (r["verdict"], r["versions"], sorted(r["tests"])) for r in report["rules"]},
        "order": [r["id"] for r in report["rules"]],
        "summary": report["summary"],
        "gate": report["gate"],
        "tests": report["tests"],
        "toolsNotCalled": report["toolsNotCalled"],
        "versions": report["versions"],
        "tool": report["tool"],
    }


def shard_reports(parts: list[list[verdicts.TestRecord]], baseline: set[str]) -> list[dict]:
    count = len(parts)
    return [
        report_of(part, baseline=baseline, shard={"index": i, "count": count})
        for i, part in enumerate(parts, start=1)
    ]


@settings(max_examples=40, deadline=None)
@given(
    assignment=st.lists(st.integers(0, 3), min_size=12, max_size=12),
    baseline=st.sets(st.sampled_from(RULES)),
)
def test_merged_shards_equal_the_unsharded_run(assignment: list[int], baseline: set[str]) -> None:
    everything = records()
    count = max(assignment) + 1
    parts: list[list[verdicts.TestRecord]] = [[] for _ in range(count)]
    for record, shard in zip(everything, assignment, strict=True):
        parts[shard].append(record)
    merged = merge_reports(shard_reports(parts, baseline))
    assert comparable(merged) == comparable(report_of(everything, baseline=baseline))


def test_the_merged_gate_fails_on_the_failure_and_keeps_the_finding(tmp_path: Path) -> None:
    everything = records()
    merged = merge_reports(shard_reports([everything[:5], everything[5:]], set()))
    assert merged["gate"]["exit_code"] == verdicts.EXIT_FAIL and merged["gate"]["failing"] == ["RPC-02"]
    assert [o["shard"]["index"] for o in merged["merged_from"]] == [1, 2]
    write_all(tmp_path, merged, [])
    saved = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert saved["failure_files"] == {"RPC-02": ["failures/RPC-02-1.jsonl"]}
    assert (tmp_path / "report.sarif").exists() and "RPC-02" in (tmp_path / "report.md").read_text()


def test_an_incomplete_or_repeated_shard_set_is_refused() -> None:
    everything = records()
    one, two, three = shard_reports([everything[:4], everything[4:8], everything[8:]], set())
    with pytest.raises(MergeError, match=r"missing \[2\]"):
        merge_reports([one, three])
    with pytest.raises(MergeError, match=r"repeated \[1\]"):
        merge_reports([one, one, three])
    with pytest.raises(MergeError, match="some reports are shards"):
        merge_reports([one, two, three, report_of(everything)])


def test_reports_of_other_checks_or_servers_are_refused() -> None:
    everything = records()
    one, two = shard_reports([everything[:6], everything[6:]], set())
    other = dict(two, tool=dict(two["tool"], catalogue={"rules": 1, "sha256": "0" * 64}))
    with pytest.raises(MergeError, match="different checks"):
        merge_reports([one, other])
    elsewhere = report_of(everything[6:], shard={"index": 2, "count": 2}, command="python other.py")
    with pytest.raises(MergeError, match="different servers"):
        merge_reports([one, elsewhere])
    with pytest.raises(MergeError, match="no reports"):
        merge_reports([])


def test_unsharded_runs_of_parts_of_the_suites_merge_too() -> None:
    """Two runs with -k over disjoint suites: no shard stamps, still one truthful report."""
    everything = records()
    merged = merge_reports([report_of(everything[:6]), report_of(everything[6:])])
    assert comparable(merged) == comparable(report_of(everything))
