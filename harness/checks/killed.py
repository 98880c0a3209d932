"""A probe that killed the server: its own rule fails too, not only LIVE-02 (issue 18, class 3).

Pure: the replay that proves the probe did it is harness/protocol/killer.py's.
Parametric over the probe's rule, like `expect_error`, so it is not registered
under one rule id.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.checks.grading import capped
from harness.findings import Finding, fail

# Rules whose test sends a request that must get an error answer (or none, for a
# notification): a server that dies on such a probe broke the rule as well as LIVE-02.
PROBE_RULES = frozenset(
    {
        "RPC-07",
        "RPC-08",
        "RPC-09",
        "RPC-10",
        "RPC-11",
        "TOOL-05",
        "TOOL-06",
        "TOOL-14",
        "PROMPT-03",
        "RES-03",
        "COMP-03",
        "PAGE-02",
        "LOG-01",
    }
)


def probe_rules(marked: Iterable[str]) -> list[str]:
    """The probe rules among a test's rule markers, in order."""
    return [rule for rule in marked if rule in PROBE_RULES]


def killed_by_probe(
    rule: str, probe: str, version: str | None, transport: str | None = None
) -> list[Finding]:
    """`rule` failed: the server went away on its probe instead of answering it.

    Called only when a replay on a fresh server, alive right before the probe,
    died again before answering a ping sent behind it.
    """
    message = (
        f"the server went away on the {rule} probe instead of answering it (LIVE-02 too); "
        f"replayed on a fresh server right after a ping it answered, it died again: {probe}"
    )
    return [capped(fail(rule, message), version, transport)]
