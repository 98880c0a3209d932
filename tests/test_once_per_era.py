"""`once_per_era`: a version-independent test runs at each era's newest version of the run,
says so where it is skipped, and `--mcp-every-version` runs it at every version."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from harness.protocol.versions import ALL_VERSIONS, newest_of_era
from tests.suite_runner import REPO, run_suites, spec_server_cmd

ONE_TEST = "test_sec_errors_and_results_leak_nothing"  # marked once_per_era, quick on the spec server


def outcomes(out) -> dict[str, str]:
    """Version -> passed/skipped (with the reason) for ONE_TEST, from the run's junit.xml."""
    found = {}
    for case in ElementTree.parse(out / "junit.xml").getroot().iter("testcase"):
        version = case.get("name", "").split("[", 1)[-1].rstrip("]")
        skipped = case.find("skipped")
        found[version] = "passed" if skipped is None else f"skipped: {skipped.get('message')}"
    return found


def test_newest_of_era() -> None:
    run = ["2024-11-05", "2025-06-18", "2025-11-25", "2026-07-28"]
    assert newest_of_era(run, "2024-11-05") == newest_of_era(run, "2025-11-25") == "2025-11-25"
    assert newest_of_era(run, "2026-07-28") == "2026-07-28"
    assert newest_of_era(["2026-07-28"], "2025-03-26") == "2025-03-26"  # none of its era: itself


def test_version_independent_tests_run_once_per_era(tmp_path) -> None:
    paths = [str(REPO / "suites" / "test_security.py")]
    once = run_suites(tmp_path / "once", server_cmd=spec_server_cmd(), version="all", paths=paths)
    assert once.returncode == 0, once.output
    seen = outcomes(tmp_path / "once")
    assert set(seen) == set(ALL_VERSIONS), seen
    assert {v for v, outcome in seen.items() if outcome == "passed"} == {"2025-11-25", "2026-07-28"}
    assert "judged once per era, at 2025-11-25" in seen["2024-11-05"], seen
    every = run_suites(
        tmp_path / "every",
        server_cmd=spec_server_cmd(),
        version="all",
        paths=paths,
        extra=["--mcp-every-version"],
    )
    assert every.returncode == 0, every.output
    assert set(outcomes(tmp_path / "every").values()) == {"passed"}
