"""`mcp-harness sweep servers.yaml`: run the suites against many servers, one summary table.

The file lists servers, each with a `name` (its report folder), `server-cmd`
or `server-url`, and optional `args` (extra `mcp-harness run` arguments, a
list or one shell-quoted string) and `env` (a mapping, passed as --server-env):

    servers:
      - name: filesystem
        server-cmd: npx -y @modelcontextprotocol/server-filesystem /tmp/empty
      - name: gateway
        server-url: http://127.0.0.1:9000/mcp
        args: ["--protocol-version", "all"]

Each server runs as its own `mcp-harness run` process (a crash or hang of one
run never takes the others down) into REPORT/<name>/; the summary goes to
REPORT/sweep.md and REPORT/sweep.json. `--shard i/n` runs every n-th server
(round-robin in file order); after the shards' folders are gathered into one
REPORT, `--summary-only` rebuilds the table from the reports found there.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.shard import slice_of

EXIT_OK, EXIT_FAIL, EXIT_NOT_RUN = 0, 1, 2
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class SweepError(ValueError):
    """The servers file is not usable."""


@dataclass(frozen=True)
class Entry:
    name: str
    server_cmd: str | None
    server_url: str | None
    args: tuple[str, ...] = ()
    env: tuple[str, ...] = ()

    def argv(self, out: Path) -> list[str]:
        """The `mcp-harness run` command line for this server."""
        argv = [sys.executable, "-m", "harness.cli", "run", "--report", str(out / self.name)]
        if self.server_cmd:
            argv += ["--server-cmd", self.server_cmd]
        if self.server_url:
            argv += ["--server-url", self.server_url]
        for item in self.env:
            argv += ["--server-env", item]
        return argv + list(self.args)


@dataclass
class Outcome:
    name: str
    target: str
    exit_code: int | None
    result: str
    summary: dict[str, int] = field(default_factory=dict)
    failing: list[str] = field(default_factory=list)
    warning: list[str] = field(default_factory=list)
    report: str = ""
    stamp: dict[str, Any] = field(default_factory=dict)


def load_entries(path: Path) -> list[Entry]:
    """The servers of a sweep file, validated (unique safe names, one target each)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("servers") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise SweepError(f"{path}: expected a list of servers (or servers: [...])")
    entries, names = [], set()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise SweepError(f"{path}: entry {number} is not a mapping")
        name = str(item.get("name") or "")
        if not _NAME.match(name) or name in names:
            raise SweepError(f"{path}: entry {number}: name {name!r} missing, repeated or not a folder name")
        names.add(name)
        cmd, url = item.get("server-cmd"), item.get("server-url")
        if not cmd and not url:
            raise SweepError(f"{path}: {name}: give server-cmd or server-url")
        args = item.get("args") or []
        args = shlex.split(args) if isinstance(args, str) else [str(a) for a in args]
        env = item.get("env") or {}
        if not isinstance(env, dict):
            raise SweepError(f"{path}: {name}: env must be a mapping")
        entries.append(Entry(name, cmd, url, tuple(args), tuple(f"{k}={v}" for k, v in env.items())))
    return entries


def run_sweep(entries: list[Entry], out: Path, shard: tuple[int, int] | None = None) -> list[Outcome]:
    """Run each server of this shard in turn; the outcomes, in file order."""
    chosen = slice_of(entries, *shard) if shard else entries
    outcomes = []
    out.mkdir(parents=True, exist_ok=True)
    for entry in chosen:
        print(f"sweep: {entry.name}: {entry.server_cmd or entry.server_url}", flush=True)
        proc = subprocess.run(entry.argv(out), stdin=subprocess.DEVNULL, check=False)
        outcomes.append(read_outcome(entry, out, proc.returncode))
    return outcomes


def read_outcome(entry: Entry, out: Path, exit_code: int | None) -> Outcome:
    """What one server's report folder says (ERROR when the run left no report)."""
    target = entry.server_cmd or entry.server_url or ""
    path = out / entry.name / "report.json"
    if not path.exists():
        return Outcome(entry.name, target, exit_code, "ERROR" if exit_code is not None else "NOT RUN")
    report = json.loads(path.read_text(encoding="utf-8"))
    gate = report.get("gate") or {}
    code = gate.get("exit_code", exit_code)
    rules = report.get("rules") or []
    return Outcome(
        entry.name,
        target,
        code if exit_code is None else exit_code,
        {EXIT_OK: "PASS", EXIT_FAIL: "FAIL"}.get(code, "NOT VERIFIED"),
        dict(report.get("summary") or {}),
        [r["id"] for r in rules if r.get("verdict") == "fail"],
        [r["id"] for r in rules if r.get("verdict") == "warn"],
        f"{entry.name}/report.html",
        dict(report.get("tool") or {}),
    )


def summarize(entries: list[Entry], out: Path) -> list[Outcome]:
    """Outcomes from the report folders already in `out` (servers without one are NOT RUN)."""
    return [read_outcome(entry, out, None) for entry in entries]


def exit_code(outcomes: list[Outcome]) -> int:
    """1 when any server failed its gate, else 2 when any could not be judged, else 0."""
    if any(o.result == "FAIL" for o in outcomes):
        return EXIT_FAIL
    if any(o.result != "PASS" for o in outcomes):
        return EXIT_NOT_RUN
    return EXIT_OK


def write_summary(outcomes: list[Outcome], out: Path) -> None:
    """REPORT/sweep.json and REPORT/sweep.md."""
    out.mkdir(parents=True, exist_ok=True)
    data = {"servers": [o.__dict__ for o in outcomes], "exit_code": exit_code(outcomes)}
    (out / "sweep.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (out / "sweep.md").write_text(render_markdown(outcomes), encoding="utf-8")


def render_markdown(outcomes: list[Outcome]) -> str:
    lines = [
        "# MCP conformance sweep",
        "",
        "| Server | Result | fail | warn | pass | skip | not verified | Failing rules | Report |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        s = o.summary
        counts = " | ".join(str(s.get(k, "-")) for k in ("fail", "warn", "pass", "skip", "not_verified"))
        failing = ", ".join(o.failing[:12]) + (" ..." if len(o.failing) > 12 else "")
        report = f"[{o.report}]({o.report})" if o.report else "-"
        lines.append(f"| {o.name} | {o.result} | {counts} | {failing or '-'} | {report} |")
    passed = sum(o.result == "PASS" for o in outcomes)
    lines += ["", f"{passed} of {len(outcomes)} servers pass; exit code {exit_code(outcomes)}."]
    return "\n".join(lines) + "\n"
