"""The shape of a catalogue entry, and the compact notation the catalogue is written in.

Kept apart from the data (`catalogue.py`) and the lookups (`__init__.py`) so
that each can be read alone: the table is 1,200 lines of facts, this is the
vocabulary they are written in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from harness.protocol.versions import expand, normalize

LEVELS: tuple[str, ...] = ("MUST", "SHOULD", "MAY", "INFO")
SEVERITIES: tuple[str, ...] = ("fail", "warn", "info")
TRANSPORTS: tuple[str, ...] = ("any", "stdio", "http")

_SEVERITY_OF_LEVEL: dict[str, str] = {"MUST": "fail", "SHOULD": "warn", "MAY": "info", "INFO": "info"}
_SEVERITY_RANK: dict[str, int] = {"info": 0, "warn": 1, "fail": 2}
_LEVEL_RANK: dict[str, int] = {"INFO": 0, "MAY": 1, "SHOULD": 2, "MUST": 3}

HARNESS_OBLIGATION = "harness obligation"


@dataclass(frozen=True)
class Rule:
    """One catalogue entry.

    ``level`` is the strongest level the rule has at any version (for derived
    rules: the level spec-rules says to report). ``level_by_version`` only lists
    versions whose level differs from ``level``; ``level_by_transport`` refines
    that further for one transport (RPC-12 on stdio, CANC-01 on V5 stdio).
    """

    id: str
    family: str
    level: str
    versions: tuple[str, ...]
    title: str
    page: str
    testable: bool
    reason: str = ""
    transport: str = "any"
    requires_sandbox: bool = False
    level_by_version: dict[str, str] = field(default_factory=dict)
    level_by_transport: dict[str, dict[str, str]] = field(default_factory=dict)
    max_severity: str = "fail"
    note: str = ""

    def applies_to(self, version: str, transport: str | None = None) -> bool:
        """True when the rule is in force at ``version`` (and on ``transport``, if given)."""
        if normalize(version) not in self.versions:
            return False
        return transport is None or transport == "any" or self.transport in ("any", transport)


def _levels(spec: Mapping[str, str] | None) -> dict[str, str]:
    """Expand ``{"V1-V2": "SHOULD"}`` into ``{"2024-11-05": "SHOULD", "2025-03-26": "SHOULD"}``."""
    out: dict[str, str] = {}
    for versions_spec, level in (spec or {}).items():
        for v in expand(versions_spec):
            out[v] = level
    return out


def _rule(
    rule_id: str,
    level: str,
    versions: str | Iterable[str],
    page: str,
    title: str,
    *,
    testable: bool = True,
    reason: str = "",
    transport: str = "any",
    sandbox: bool = False,
    by_version: Mapping[str, str] | None = None,
    by_transport: Mapping[str, Mapping[str, str]] | None = None,
    max_severity: str = "fail",
    note: str = "",
) -> Rule:
    """Build a :class:`Rule` from the compact notation used in the table below."""
    return Rule(
        id=rule_id,
        family=family_of(rule_id),
        level=level,
        versions=expand(versions),
        title=title,
        page=page,
        testable=testable,
        reason=reason,
        transport=transport,
        requires_sandbox=sandbox,
        level_by_version=_levels(by_version),
        level_by_transport={t: _levels(m) for t, m in (by_transport or {}).items()},
        max_severity=max_severity,
        note=note,
    )


def family_of(rule_id: str) -> str:
    """The family prefix of a rule id: ``"HTTP-L04"`` -> ``"HTTP"``, ``"HTTP-V1-01"`` -> ``"HTTP"``."""
    return rule_id.split("-", 1)[0]
