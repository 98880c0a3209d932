"""The coverage table: rule id -> the tests that check it -> the faults that prove it.

Generated from the code, never written by hand: the suites are read with
`ast` (each `@pytest.mark.rule(...)`), and the fault fixtures are asked for
their registry (`spec_server --list-faults`), so a rule is only "proven" when
a fault that breaks it exists.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from harness import rules

REPO = Path(__file__).resolve().parents[2]
SPEC_SERVER = REPO / "tests" / "servers" / "spec_server"


def suites_dir() -> Path:
    import suites

    return Path(suites.__file__).resolve().parent


def suite_rules(folder: Path | None = None) -> dict[str, list[str]]:
    """rule id -> ['module::test', ...] for every test marked with that rule."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted((folder or suites_dir()).glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_rules = _marker_rules(getattr(_module_mark(tree), "value", None))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                ids = set(module_rules)
                for decorator in node.decorator_list:
                    ids |= set(_marker_rules(decorator))
                for rule_id in ids:
                    found[rule_id].append(f"{path.stem}::{node.name}")
    return dict(found)


def _module_mark(tree: ast.Module) -> ast.Assign | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
            return node
    return None


def _marker_rules(node: ast.AST | None) -> list[str]:
    """Rule ids in `pytest.mark.rule("A", "B")` (or a list of marks)."""
    if node is None:
        return []
    if isinstance(node, (ast.List, ast.Tuple)):
        return [rule for item in node.elts for rule in _marker_rules(item)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "rule":
        return [
            arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        ]
    return []


def fault_fixtures() -> list[dict]:
    """Every fault fixture: the spec server's registry, plus the lies of the sandbox-backed
    and OAuth-protected test servers (empty in an installed copy without tests/)."""
    if not SPEC_SERVER.exists():
        return []
    out = subprocess.run(
        [sys.executable, str(SPEC_SERVER), "--list-faults"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    faults = json.loads(out.stdout)
    fixtures = (
        (REPO / "tests" / "test_oracle.py", "lying_server"),
        (REPO / "tests" / "servers" / "protected" / "server.py", "protected"),
        (REPO / "tests" / "servers" / "enterprise_liar.py", "enterprise_liar"),
    )
    for module, prefix in fixtures:
        for name, rule in _lies(module).items():
            faults.append({"name": f"{prefix}:{name}", "rule": rule})
    return faults


def _lies(path: Path) -> dict[str, str]:
    """The `LIES = {name: rule}` table of a fixture module, read without importing it."""
    if not path.exists():
        return {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "LIES" for t in node.targets):
            value = ast.literal_eval(node.value)
            return {str(k): str(v) for k, v in value.items()}
    return {}


@dataclass
class CoverageRow:
    id: str
    level: str
    versions: str
    testable: bool
    tests: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # registered @check functions (checks.registry)
    faults: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def status(self) -> str:
        if self.tests and self.faults:
            return "proven"
        if self.tests:
            return "checked, no fault fixture"
        if not self.testable:
            return "not testable"
        return "not covered"


def coverage_rows() -> list[CoverageRow]:
    from harness.checks.registry import checks_by_rule

    checked = suite_rules()
    by_check = checks_by_rule()
    faults: dict[str, list[str]] = defaultdict(list)
    for fault in fault_fixtures():
        faults[fault["rule"]].append(fault["name"])
    rows = []
    for rule in rules.RULES.values():
        rows.append(
            CoverageRow(
                id=rule.id,
                level=rule.level,
                versions=_versions_label(rule.versions),
                testable=rule.testable,
                tests=checked.get(rule.id, []),
                checks=by_check.get(rule.id, []),
                faults=faults.get(rule.id, []),
                reason=rule.reason,
            )
        )
    return rows


def summary(rows: list[CoverageRow]) -> dict[str, float]:
    must = [r for r in rows if r.level == "MUST" and r.testable]
    proven = [r for r in must if r.status == "proven"]
    return {
        "rules": len(rows),
        "must_testable": len(must),
        "must_proven": len(proven),
        "must_proven_pct": round(100.0 * len(proven) / max(1, len(must)), 1),
        "proven": sum(r.status == "proven" for r in rows),
    }


def _versions_label(versions: tuple[str, ...]) -> str:
    from harness.protocol.versions import ALL_VERSIONS

    if tuple(versions) == ALL_VERSIONS:
        return "all"
    index = [ALL_VERSIONS.index(v) + 1 for v in versions]
    if index and index == list(range(index[0], index[-1] + 1)):
        return f"V{index[0]}" if len(index) == 1 else f"V{index[0]}-V{index[-1]}"
    return ",".join(f"V{i}" for i in index)
