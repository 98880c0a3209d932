"""A test that skips in its body (it finds it does not apply) is recorded at its version, so the
report's cell for that version says skip instead of the rule losing the column."""

from __future__ import annotations

from tests.suite_runner import REPO, run_suites, spec_server_cmd


def test_a_skip_in_the_test_body_keeps_its_version(tmp_path) -> None:
    run = run_suites(
        tmp_path,
        server_cmd=spec_server_cmd(),
        version="all",
        paths=[str(REPO / "suites" / "test_completion.py")],
        extra=["-k", "test_comp01_undeclared"],  # skips in its body at 2024-11-05 (no capability then)
    )
    assert run.returncode == 0, run.output
    comp01 = next(rule for rule in run.report["rules"] if rule["id"] == "COMP-01")
    assert comp01["versions"].get("2024-11-05") == "skip", comp01["versions"]
    assert "-" not in comp01["versions"], comp01["versions"]
