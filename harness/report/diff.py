"""Compare two reports rule by rule and version by version: what got better, worse, or unverified.

Uses: a release against the previous one (`OLD` = the last release's report),
and differential runs: the same server direct and behind a proxy or gateway,
where anything the proxy makes worse is the proxy's doing.

The decision (README, "Use in CI"): a **regression** is a rule and version
whose verdict got worse among the verified states, pass < warn < fail
(pass->warn, pass->fail, warn->fail), or that now fails or warns where OLD had
no verdict (skipped, not verified, or not run). A regression makes the exit
code 1. A rule that stopped being verified (pass->skip) or a failure that
vanished because it was no longer checked (fail->skip) is reported, not
counted as better, and does not fail the diff: the new run's own skip reasons
say why.

When the two reports share no protocol version (e.g. OLD ran 2025-06-18 and
NEW 2025-11-25), rules are compared by their overall verdicts instead, and the
output says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from harness.report.stamp import describe, same_checks

VERIFIED_RANK = {"pass": 0, "warn": 1, "fail": 2}
UNVERIFIED = ("skip", "not_verified", "absent")
EXIT_SAME_OR_BETTER, EXIT_REGRESSION = 0, 1

# Change kinds, in the order they are shown.
WORSE, NEW_PROBLEM, BETTER, UNVERIFIED_NOW, NEWLY_VERIFIED = (
    "worse",
    "new problem",
    "better",
    "no longer verified",
    "newly verified",
)
KINDS = (WORSE, NEW_PROBLEM, BETTER, UNVERIFIED_NOW, NEWLY_VERIFIED)
REGRESSIONS = (WORSE, NEW_PROBLEM)


@dataclass(frozen=True)
class Change:
    rule: str
    version: str
    old: str
    new: str
    kind: str

    @property
    def regression(self) -> bool:
        return self.kind in REGRESSIONS


@dataclass
class Diff:
    changes: list[Change]
    by: str  # "version" or "rule": how verdicts were paired
    notes: list[str]

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.regression]

    @property
    def exit_code(self) -> int:
        return EXIT_REGRESSION if self.regressions else EXIT_SAME_OR_BETTER

    def as_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "notes": self.notes,
            "regressions": len(self.regressions),
            "exit_code": self.exit_code,
            "changes": [dict(asdict(c), regression=c.regression) for c in self.changes],
        }


def classify(old: str, new: str) -> str | None:
    """The kind of change from `old` to `new` verdict, or None when nothing changed that matters."""
    if old == new or (old in UNVERIFIED and new in UNVERIFIED):
        return None
    if old in VERIFIED_RANK and new in VERIFIED_RANK:
        return WORSE if VERIFIED_RANK[new] > VERIFIED_RANK[old] else BETTER
    if old in UNVERIFIED:
        return NEW_PROBLEM if new in ("warn", "fail") else NEWLY_VERIFIED
    return UNVERIFIED_NOW


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Every (rule, version) whose verdict changed between `old` and `new`, classified."""
    notes: list[str] = []
    if not same_checks(old, new):
        notes.append(f"judged by different checks: OLD {describe(old)}; NEW {describe(new)}")
    old_states, new_states = _states(old), _states(new)
    old_versions = {v for (_, v) in old_states if v != "-"}
    new_versions = {v for (_, v) in new_states if v != "-"}
    by = "version"
    if old_versions and new_versions and not old_versions & new_versions:
        by = "rule"
        notes.append(
            f"no protocol version in common (OLD {', '.join(sorted(old_versions))}; "
            f"NEW {', '.join(sorted(new_versions))}): overall verdicts per rule compared"
        )
        old_states, new_states = _overall(old), _overall(new)
    changes = []
    order = {rule["id"]: i for i, rule in enumerate([*new.get("rules", []), *old.get("rules", [])])}
    for key in sorted(old_states.keys() | new_states.keys(), key=lambda k: (order.get(k[0], 0), k[1])):
        before, after = old_states.get(key, "absent"), new_states.get(key, "absent")
        kind = classify(before, after)
        if kind:
            changes.append(Change(key[0], key[1], before, after, kind))
    return Diff(changes, by, notes)


def _states(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (rule["id"], version): state
        for rule in report.get("rules", [])
        for version, state in (rule.get("versions") or {"-": rule.get("verdict", "skip")}).items()
    }


def _overall(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(rule["id"], "-"): rule.get("verdict", "skip") for rule in report.get("rules", [])}


def render_markdown(diff: Diff, old_name: str = "OLD", new_name: str = "NEW") -> str:
    """The diff as a Markdown section: a verdict line, then one table per kind of change."""
    head = f"**{len(diff.regressions)} regression(s)**" if diff.regressions else "**no regression**"
    lines = ["# MCP conformance diff", "", f"`{old_name}` -> `{new_name}`: {head}", ""]
    lines += [f"- {note}" for note in diff.notes]
    if diff.notes:
        lines.append("")
    for kind in KINDS:
        rows = [c for c in diff.changes if c.kind == kind]
        if not rows:
            continue
        lines += [f"## {kind.capitalize()} ({len(rows)})", "", "| Rule | Version | Before | After |"]
        lines.append("|---|---|---|---|")
        lines += [f"| {c.rule} | {c.version} | {c.old} | {c.new} |" for c in rows]
        lines.append("")
    if not diff.changes:
        lines.append("No verdict changed.")
    return "\n".join(lines).rstrip() + "\n"


def render_console(diff: Diff) -> list[str]:
    """Short terminal lines: one per change, regressions first, then the verdict."""
    lines = [f"note: {note}" for note in diff.notes]
    for kind in KINDS:
        for c in (c for c in diff.changes if c.kind == kind):
            mark = "REGRESSION" if c.regression else kind
            lines.append(f"{mark:<18} {c.rule:<10} {c.version:<11} {c.old} -> {c.new}")
    lines.append(
        f"{len(diff.regressions)} regression(s), {len(diff.changes)} change(s); exit code {diff.exit_code}"
    )
    return lines
