"""Write the report files: report.json (machine), report.md (PR comment),
report.html (one page for people), report.sarif (code scanning) and
failures/*.jsonl (replayable transcripts)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.report.html import render_html
from harness.report.markdown import render_markdown
from harness.report.sarif import render_sarif


def write_all(out: Path, report: dict[str, Any], records: Iterable[Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    failures = write_failures(out / "failures", report)
    report["failure_files"] = failures
    (out / "report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    (out / "report.md").write_text(render_markdown(report), encoding="utf-8")
    (out / "report.html").write_text(render_html(report), encoding="utf-8")
    (out / "report.sarif").write_text(json.dumps(render_sarif(report), indent=2), encoding="utf-8")


def write_failures(folder: Path, report: dict[str, Any]) -> dict[str, list[str]]:
    """One JSONL transcript per failing finding with evidence, named RULE-N.jsonl."""
    if folder.exists():
        for old in folder.glob("*.jsonl"):
            old.unlink()
    written: dict[str, list[str]] = {}
    server = report.get("server", {})
    for rule in report["rules"]:
        if rule["verdict"] != "fail":
            continue
        count = 0
        for finding in rule["findings"]:
            if finding.get("severity") != "fail":
                continue
            count += 1
            name = f"{_safe(rule['id'])}-{count}.jsonl"
            header = {
                "rule": rule["id"],
                "message": finding.get("message"),
                "test": finding.get("test"),
                "version": finding.get("version"),
                "server": {"command": server.get("command"), "url": server.get("url")},
                "seed": finding.get("seed"),
                "kind": finding.get("kind", "suite"),
            }
            folder.mkdir(parents=True, exist_ok=True)
            with (folder / name).open("w", encoding="utf-8") as out:
                out.write(json.dumps({"header": header}, ensure_ascii=False, default=str) + "\n")
                for frame in finding.get("transcript") or []:
                    out.write(json.dumps(frame, ensure_ascii=False, default=str) + "\n")
            finding["failure_file"] = f"failures/{name}"
            written.setdefault(rule["id"], []).append(f"failures/{name}")
    return written


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)
