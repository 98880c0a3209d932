"""The rule catalogue: every rule id of ``spec-rules.md``, and its lookups.

This module is the single source for checks, test ids, reports and the CI
baseline, so it holds facts only (no I/O, no logic beyond lookups). Titles are
our own one-line summaries; the authoritative wording is spec-rules.md and the
spec pages named in ``Rule.page`` (relative to ``docs/specification/<version>/``).

Levels follow the verdict table of spec-rules.md: MUST/MUST NOT -> fail,
SHOULD/SHOULD NOT -> warn, MAY/INFO -> info. Where spec-rules says a rule is
"derived", the level is the verdict spec-rules tells us to report (never MUST).
Where the text caps the verdict below the normative level (LIFE-08 "treat as
WARN", HTTP-02 "INFO"), ``max_severity`` records the cap so that a faithful
level never turns into a CI failure the rule text forbids.

The data is in ``catalogue.py``, the entry type in ``model.py``; this module
holds the lookups and the import-time self-check.
"""

from __future__ import annotations

import difflib

from harness.protocol.versions import ALL_VERSIONS, normalize
from harness.rules.catalogue import _CATALOGUE
from harness.rules.model import (
    _LEVEL_RANK,
    _SEVERITY_OF_LEVEL,
    _SEVERITY_RANK,
    HARNESS_OBLIGATION,
    LEVELS,
    SEVERITIES,
    TRANSPORTS,
    Rule,
    family_of,
)

RULES: dict[str, Rule] = {r.id: r for r in _CATALOGUE}
"""Every rule, keyed by id, in the order of spec-rules.md."""

if len(RULES) != len(_CATALOGUE):  # pragma: no cover - guards edits to the table
    raise RuntimeError("duplicate rule id in the catalogue")


def get(rule_id: str) -> Rule:
    """Look a rule up by id; a miss raises ``KeyError`` naming the closest ids."""
    try:
        return RULES[rule_id]
    except KeyError:
        pass
    upper = rule_id.strip().upper()
    if upper in RULES:
        return RULES[upper]
    close = difflib.get_close_matches(upper, RULES, n=5, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"unknown rule id {rule_id!r}{hint}")


def level_at(rule_id: str, version: str, transport: str | None = None) -> str:
    """The level of ``rule_id`` at ``version`` (and ``transport``, when it matters).

    Raises ``ValueError`` when the rule does not apply to that version: asking
    is a bug in the caller, and a silent default would hide it.
    """
    rule = get(rule_id)
    v = normalize(version)
    if v not in rule.versions:
        raise ValueError(f"{rule.id} does not apply to {v} (applies to {', '.join(rule.versions)})")
    if transport and v in rule.level_by_transport.get(transport, {}):
        return rule.level_by_transport[transport][v]
    return rule.level_by_version.get(v, rule.level)


def severity_for(rule_id: str, version: str, transport: str | None = None) -> str:
    """The verdict a broken rule gets: ``"fail"``, ``"warn"`` or ``"info"``.

    MUST -> fail, SHOULD -> warn, MAY/INFO -> info, then capped by the rule's
    ``max_severity`` (LIFE-08 is MUST at V3 but spec-rules reports it as WARN).
    """
    rule = get(rule_id)
    severity = _SEVERITY_OF_LEVEL[level_at(rule_id, version, transport)]
    if _SEVERITY_RANK[severity] > _SEVERITY_RANK[rule.max_severity]:
        return rule.max_severity
    return severity


def rules_for_version(version: str, transport: str | None = None) -> list[Rule]:
    """The rules in force at ``version`` (and on ``transport`` when given), in catalogue order."""
    v = normalize(version)
    return [r for r in RULES.values() if r.applies_to(v, transport)]


def families() -> list[str]:
    """The family prefixes in catalogue order."""
    return list(dict.fromkeys(r.family for r in RULES.values()))


def stronger(a: str, b: str) -> str:
    """The stronger of two levels (MUST > SHOULD > MAY > INFO)."""
    return a if _LEVEL_RANK[a] >= _LEVEL_RANK[b] else b


def _self_check() -> None:
    """Fail at import on an inconsistent table, so a typo never reaches a report."""
    for r in RULES.values():
        problems = []
        if r.level not in LEVELS:
            problems.append(f"level {r.level!r}")
        if r.transport not in TRANSPORTS:
            problems.append(f"transport {r.transport!r}")
        if r.max_severity not in SEVERITIES:
            problems.append(f"max_severity {r.max_severity!r}")
        if not r.versions or any(v not in ALL_VERSIONS for v in r.versions):
            problems.append("versions")
        overrides = [r.level_by_version, *r.level_by_transport.values()]
        for mapping in overrides:
            for v, lvl in mapping.items():
                if v not in r.versions or lvl not in LEVELS or stronger(lvl, r.level) != r.level:
                    problems.append(f"override {v}={lvl}")
        if not r.testable and not r.reason:
            problems.append("untestable without a reason")
        if problems:
            raise RuntimeError(f"rule {r.id}: bad {', '.join(problems)}")


_self_check()


__all__ = [
    "HARNESS_OBLIGATION",
    "LEVELS",
    "RULES",
    "SEVERITIES",
    "TRANSPORTS",
    "Rule",
    "families",
    "family_of",
    "get",
    "level_at",
    "rules_for_version",
    "severity_for",
    "stronger",
]
