"""harness/verdicts.py: findings to one verdict per rule, the CI gate and the baseline.

This is what turns a run into an exit code, so each way a test can end
(passed, failed with or without a finding, skipped, not verified) is pinned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.report import verdicts
from harness.report.verdicts import (
    EXIT_FAIL,
    EXIT_NOT_RUN,
    EXIT_OK,
    RuleResult,
    aggregate,
    gate_status,
    load_baseline,
)
from tests.unit.builders import V3, V4


def record(
    nodeid: str,
    rules: list[str],
    *findings: tuple[str, str],
    outcome: str = "passed",
    version: str | None = V4,
    skip_reason: str = "",
    failure: str = "",
) -> verdicts.TestRecord:
    return verdicts.TestRecord(
        nodeid=nodeid,
        rules=rules,
        version=version,
        outcome=outcome,
        skip_reason=skip_reason,
        failure=failure,
        findings=[{"rule": r, "severity": s, "message": f"{r} {s}", "evidence": []} for r, s in findings],
        transcript=[{"seq": 1, "dir": "send", "channel": "stdio", "raw": "{}"}],
    )


def by_id(results: list[RuleResult]) -> dict[str, RuleResult]:
    return {r.id: r for r in results}


# -- aggregate ----------------------------------------------------------------


def test_a_passing_test_passes_its_rules() -> None:
    [result] = aggregate([record("t::ping", ["PING-01"])], set())
    assert (result.id, result.verdict, result.by_version) == ("PING-01", "pass", {V4: "pass"})
    assert result.tests == ["t::ping"] and result.level == "MUST" and result.title


def test_findings_grade_the_rule_and_carry_their_test_and_transcript() -> None:
    records = [
        record("t::ids", ["RPC-02"], ("RPC-02", "fail")),
        record("t::log", ["LOG-01"], ("LOG-01", "warn")),
        record("t::tool", ["TOOL-06"], ("TOOL-06", "info")),
    ]
    results = by_id(aggregate(records, set()))
    assert {k: r.verdict for k, r in results.items()} == {
        "RPC-02": "fail",
        "LOG-01": "warn",
        "TOOL-06": "pass",
    }
    [finding] = results["RPC-02"].findings
    assert (finding["test"], finding["version"]) == ("t::ids", V4) and finding["transcript"]
    assert "transcript" not in results["TOOL-06"].findings[0]  # info findings travel light


def test_a_finding_names_a_rule_the_test_was_not_marked_with() -> None:
    results = by_id(aggregate([record("t::tools", ["TOOL-01"], ("SEC-02", "warn"))], set()))
    assert results["TOOL-01"].verdict == "pass" and results["SEC-02"].verdict == "warn"


def test_a_failed_test_without_a_finding_fails_its_rules_with_the_failure_text() -> None:
    failed = record("t::init", ["LIFE-01"], outcome="failed", failure="AssertionError: no result")
    [result] = aggregate([failed], set())
    assert result.verdict == "fail"
    assert (
        result.findings[0]["message"] == "AssertionError: no result"
        and result.findings[0]["test"] == "t::init"
    )


def test_a_test_failed_by_another_rules_finding_passes_its_own() -> None:
    failed = record("t::call", ["TOOL-07"], ("SEC-01", "fail"), outcome="failed")
    results = by_id(aggregate([failed], set()))
    assert results["TOOL-07"].verdict == "pass" and results["SEC-01"].verdict == "fail"


def test_skips_are_skip_or_not_verified() -> None:
    records = [
        record(
            "t::a", ["AUTH-01"], outcome="skipped", skip_reason="Skipped: NOT VERIFIED: no token endpoint"
        ),
        record("t::b", ["LOG-01"], outcome="skipped", skip_reason="Skipped: logging not declared"),
        record("t::c", ["LOG-01"], outcome="skipped", skip_reason="Skipped: logging not declared"),
    ]
    results = by_id(aggregate(records, set()))
    assert results["AUTH-01"].verdict == "not_verified"
    assert results["LOG-01"].verdict == "skip" and results["LOG-01"].skip_reasons == [
        "Skipped: logging not declared"
    ]


def test_the_worst_version_decides_the_rule() -> None:
    records = [record("t[v3]", ["RES-03"], ("RES-03", "warn"), version=V3), record("t[v4]", ["RES-03"])]
    [result] = aggregate(records, set())
    assert result.by_version == {V3: "warn", V4: "pass"} and result.verdict == "warn"


def test_results_follow_the_catalogue_order_and_unknown_ids_go_last() -> None:
    records = [record("t::x", ["SEC-01", "X-99", "HARN-01", "RPC-01"])]
    results = aggregate(records, set())
    assert [r.id for r in results] == ["HARN-01", "RPC-01", "SEC-01", "X-99"]
    assert results[-1].level == "?"


def test_baseline_membership_is_marked_on_the_result() -> None:
    [result] = aggregate([record("t::ids", ["RPC-02"], ("RPC-02", "fail"))], {"RPC-02"})
    assert result.baseline


# -- gate_status --------------------------------------------------------------


def results_for(*verdicts: tuple[str, str], baseline: set[str] | None = None) -> list[RuleResult]:
    baseline = baseline or set()
    return [RuleResult(id=i, level="MUST", title="", verdict=v, baseline=i in baseline) for i, v in verdicts]


def test_gate_passes_when_nothing_fails() -> None:
    gate = gate_status(results_for(("RPC-01", "pass"), ("LOG-01", "warn"), ("AUTH-01", "skip")), set())
    assert gate["exit_code"] == EXIT_OK and gate["failing"] == [] and not gate["not_verified"]


def test_gate_fails_on_an_unexpected_failure() -> None:
    gate = gate_status(results_for(("RPC-01", "fail"), ("RPC-02", "pass")), set())
    assert gate["exit_code"] == EXIT_FAIL
    assert gate["unexpected_failures"] == ["RPC-01"] and gate["baselined_failures"] == []


def test_known_failures_pass_the_gate_and_fixed_ones_are_stale() -> None:
    baseline = {"RPC-01", "LOG-01", "TOOL-02"}
    results = results_for(("RPC-01", "fail"), ("LOG-01", "pass"), ("TOOL-02", "warn"), baseline=baseline)
    gate = gate_status(results, baseline)
    assert gate["exit_code"] == EXIT_OK
    assert gate["baselined_failures"] == ["RPC-01"]
    assert gate["stale_baseline"] == ["LOG-01", "TOOL-02"]


def test_a_run_where_nothing_could_be_verified_is_not_run() -> None:
    gate = gate_status(results_for(("LIFE-01", "not_verified"), ("RPC-01", "skip")), set())
    assert gate["exit_code"] == EXIT_NOT_RUN and gate["not_verified"]
    assert (
        gate_status(results_for(("RPC-01", "skip")), set())["exit_code"] == EXIT_OK
    )  # only skips: not "not run"


# -- load_baseline ---------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_no_baseline_is_empty() -> None:
    assert load_baseline(None) == set()


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("baseline.json", json.dumps(["RPC-02", "TOOL-09"])),
        ("baseline.yaml", "expected_failures:\n  - rule: RPC-02\n    reason: ids as strings\n  - TOOL-09\n"),
        ("baseline.yml", "rules: [RPC-02, TOOL-09]\n"),
    ],
)
def test_baseline_files_in_every_accepted_shape(tmp_path: Path, name: str, text: str) -> None:
    assert load_baseline(write(tmp_path, name, text)) == {"RPC-02", "TOOL-09"}


def test_a_baseline_with_a_typo_is_refused_naming_the_closest_ids(tmp_path: Path) -> None:
    with pytest.raises((KeyError, pytest.UsageError), match="RPC-02"):
        load_baseline(write(tmp_path, "b.json", json.dumps(["RPC-2"])))


def test_a_baseline_entry_that_is_not_an_id_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(pytest.UsageError, match="entries must be rule ids"):
        load_baseline(write(tmp_path, "b.json", json.dumps([{"reason": "no rule"}])))


def test_a_lower_case_baseline_entry_covers_its_rule(tmp_path: Path) -> None:
    baseline = load_baseline(write(tmp_path, "b.json", json.dumps(["rpc-02"])))
    results: list[Any] = aggregate([record("t::ids", ["RPC-02"], ("RPC-02", "fail"))], baseline)
    assert gate_status(results, baseline)["exit_code"] == EXIT_OK
