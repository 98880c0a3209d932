"""Severity from the rule catalogue: cap a check's verdict at the rule's level.

A check says what is wrong and how bad the outcome is in itself (no answer
at all is worse than a wrong error code). How binding the rule is at the
negotiated version is a different question, and `harness/rules.py` already
answers it (`CAP-02 by_version={"V1-V2": "SHOULD"}`). Asking the catalogue
here, instead of writing `fail if version >= X else warn` in each check,
keeps that per-version table in one place.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from harness import rules
from harness.findings import SEVERITY_ORDER, Finding, Severity
from harness.protocol.versions import normalize


def capped(finding: Finding, version: str | None, transport: str | None = None) -> Finding:
    """`finding`, its severity lowered to what the catalogue allows for its rule
    at `version` (and `transport`): a fail becomes a warn where the rule is a
    SHOULD there, and an info where it is a MAY.

    Never raises a severity: a WARN the check chose stays a WARN under a MUST.
    With no version (frames seen before negotiation), or a version no revision
    has (a server that negotiated garbage, judged under LIFE-02/03), the
    finding is returned unchanged: there is no level to look up, and the
    always-on frame checks that call this must not crash on a broken server."""
    if version is None or not _known(version):
        return finding
    ceiling = cast(Severity, rules.severity_for(finding.rule, version, transport))
    if SEVERITY_ORDER[finding.severity] <= SEVERITY_ORDER[ceiling]:
        return finding
    return replace(finding, severity=ceiling)


def _known(version: str) -> bool:
    """True when `version` names a bundled revision (date form or "V1".."V5")."""
    try:
        normalize(version)
    except ValueError:
        return False
    return True
