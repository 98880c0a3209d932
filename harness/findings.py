"""Findings: what a check says about a rule, and how bad it is.

A finding carries its own severity because the same rule can be a MUST at one
version and a SHOULD at another, and some rules grade their outcomes (an
error with the wrong code is WARN, no error at all is FAIL).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["fail", "warn", "info"]
SEVERITY_ORDER = {"info": 0, "warn": 1, "fail": 2}


@dataclass
class Finding:
    rule: str
    severity: Severity
    message: str
    evidence: list[dict[str, Any]] = field(default_factory=list)  # frames, as dicts

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        return f"[{self.rule} {self.severity.upper()}] {self.message}"


def fail(rule: str, message: str, *evidence: Any) -> Finding:
    return Finding(rule, "fail", message, [_ev(e) for e in evidence])


def warn(rule: str, message: str, *evidence: Any) -> Finding:
    return Finding(rule, "warn", message, [_ev(e) for e in evidence])


def info(rule: str, message: str, *evidence: Any) -> Finding:
    return Finding(rule, "info", message, [_ev(e) for e in evidence])


def graded(rule: str, severity: Severity, message: str, *evidence: Any) -> Finding:
    return Finding(rule, severity, message, [_ev(e) for e in evidence])


def worst(findings: list[Finding]) -> Severity | None:
    if not findings:
        return None
    return max((f.severity for f in findings), key=SEVERITY_ORDER.__getitem__)


def _ev(item: Any) -> dict[str, Any]:
    """Evidence is kept small: the message itself, trimmed if huge."""
    if isinstance(item, dict):
        return item
    return {"value": repr(item)[:2000]}
