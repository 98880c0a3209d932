"""action.yml: every input is used, and every flag its run step passes is a real `mcp-harness run` flag.

The composite action is YAML that no test runner executes; a renamed CLI
flag would only show up as a failed job in someone's CI. This reads the
action with PyYAML and checks its wiring against the CLI's own parser.
tests/test_action_run.py runs the run step's script for real.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from harness.cli import _parser

ACTION = Path(__file__).resolve().parents[2] / "action.yml"
# Input -> the `mcp-harness run` flag it becomes (inputs not listed steer the action itself).
FLAG_OF_INPUT = {
    "server-cmd": "--server-cmd",
    "server-url": "--server-url",
    "protocol-version": "--protocol-version",
    "baseline": "--baseline",
    "report-dir": "--report",
}


def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert data["runs"]["using"] == "composite"
    return data


def run_flags() -> set[str]:
    """Every option string `mcp-harness run` accepts."""
    parser = _parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    run = sub.choices["run"]  # type: ignore[index]
    return {flag for a in run._actions for flag in a.option_strings}


def step(data: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in data["runs"]["steps"] if s.get("id") == step_id)


def test_every_input_is_used_somewhere_in_the_steps() -> None:
    data = action()
    text = yaml.safe_dump(data["runs"]) + yaml.safe_dump(data.get("outputs"))
    unused = [name for name in data["inputs"] if f"inputs.{name}" not in text]
    assert unused == []


def test_inputs_reach_real_cli_flags_through_the_environment() -> None:
    data = action()
    run = step(data, "run")
    env_of_input = {
        re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", value).group(1): name  # type: ignore[union-attr]
        for name, value in run["env"].items()
    }
    flags = run_flags()
    for name, flag in FLAG_OF_INPUT.items():
        assert flag in flags, f"{flag} is not an option of `mcp-harness run`"
        variable = env_of_input[name]
        assert f'{flag} "${variable}"' in run["run"], f"input {name} is not passed as {flag}"
    assert "inputs." not in run["run"], "inputs must reach the script as env vars, not be pasted into it"
    used = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", run["run"]))
    assert used <= flags, f"flags the CLI does not know: {sorted(used - flags)}"
    assert "args" in env_of_input and '"${extra[@]}"' in run["run"]


def test_the_action_installs_itself_uploads_and_summarises() -> None:
    data = action()
    steps = data["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    sarif = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert sarif["with"]["sarif_file"] == "${{ inputs.report-dir }}/report.sarif"
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert '"$GITHUB_ACTION_PATH"' in install["run"]  # the pinned checkout, not whatever PyPI has
    assert any("$GITHUB_STEP_SUMMARY" in s.get("run", "") and "report.md" in s["run"] for s in steps)
    assert data["outputs"]["exit-code"]["value"] == "${{ steps.run.outputs.exit-code }}"
