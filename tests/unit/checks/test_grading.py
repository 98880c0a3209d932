"""checks.grading.capped: severity comes from the catalogue, in one place."""

from __future__ import annotations

from harness.checks.grading import capped
from harness.findings import fail, warn
from harness.protocol.versions import V1, V4


def test_a_fail_is_lowered_where_the_catalogue_says_should() -> None:
    # CAP-02 is a SHOULD at 2024-11-05 and 2025-03-26, a MUST later (rules catalogue)
    assert capped(fail("CAP-02", "undeclared notification"), V1).severity == "warn"
    assert capped(fail("CAP-02", "undeclared notification"), V4).severity == "fail"


def test_a_severity_is_never_raised_and_unknown_versions_pass_through() -> None:
    assert capped(warn("CAP-02", "x"), V4).severity == "warn"
    assert capped(fail("CAP-02", "x"), None).severity == "fail"
    assert capped(fail("CAP-02", "x"), "1999-01-01").severity == "fail"
