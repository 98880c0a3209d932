"""report.sarif: the verdicts as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One result per rule and protocol version whose verdict is `fail` (level
`error`) or `warn` (level `warning`); passes, skips and info findings are not
results (SARIF viewers show results as problems to fix). Each rule's
descriptor links the spec page that states it. Baselined failures are still
results, but carry an external suppression, so code scanning shows them as
dismissed instead of new alerts.

Code scanning needs a file location on every result, and a server has no
source line that a protocol verdict points at. The location is the server's
entry point when `--server-cmd` names a file (`python myserver.py` ->
`myserver.py`), otherwise a stand-in path; the rule, version and test live in
the message and properties. `partialFingerprints` are derived from the rule,
version and server, so the same problem keeps the same alert across runs.
"""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path
from typing import Any

from harness.report.links import spec_url
from harness.report.stamp import TOOL_NAME

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVEL_OF_VERDICT = {"fail": "error", "warn": "warning"}
STAND_IN = "mcp-server"  # the location of results when the server has no file we can name
FINGERPRINT_KEY = "mcpHarnessRuleVersion/v1"


def render_sarif(report: dict[str, Any], anchor: str | None = None) -> dict[str, Any]:
    """The SARIF log for one report (a dict ready for json.dumps)."""
    location = anchor or server_anchor(report.get("server") or {})
    results: list[dict[str, Any]] = []
    used: dict[str, dict[str, Any]] = {}
    for rule in report.get("rules", []):
        for version, verdict in _problem_versions(rule):
            used.setdefault(rule["id"], rule)
            results.append(_result(report, rule, version, verdict, location))
    tool = report.get("tool") or {}
    gate = report.get("gate") or {}
    driver: dict[str, Any] = {
        "name": tool.get("name", TOOL_NAME),
        "version": str(tool.get("version", "")),
        "semanticVersion": str(tool.get("version", "")),
        "rules": [_descriptor(rule) for rule in used.values()],
        "properties": {"catalogue": tool.get("catalogue") or {}},
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "results": results,
        "invocations": [
            {
                "executionSuccessful": gate.get("exit_code") in (0, 1),
                "exitCode": gate.get("exit_code", 2),
            }
        ],
        "properties": {
            "server": _server_summary(report.get("server") or {}),
            "protocolVersions": report.get("versions") or [],
            "summary": report.get("summary") or {},
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def server_anchor(server: dict[str, Any]) -> str:
    """The file results point at: the first argument of the server command that looks like a file."""
    command = server.get("command") or ""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    for word in words[1:] + words[:1]:
        if word.startswith("-") or "=" in word:
            continue
        path = Path(word)
        if path.suffix or path.is_dir():
            return _relative(path)
    return STAND_IN


def _relative(path: Path) -> str:
    """A repository-relative URI when the path is inside the working directory, else its name."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix() if not path.is_absolute() else path.name


def _problem_versions(rule: dict[str, Any]) -> list[tuple[str, str]]:
    """(version, verdict) for each version at which the rule failed or warned."""
    by_version = rule.get("versions") or {}
    found = [(v, s) for v, s in sorted(by_version.items()) if s in LEVEL_OF_VERDICT]
    if not found and rule.get("verdict") in LEVEL_OF_VERDICT:
        found = [("-", rule["verdict"])]
    return found


def _descriptor(rule: dict[str, Any]) -> dict[str, Any]:
    level = "error" if rule.get("level") == "MUST" else "warning"
    return {
        "id": rule["id"],
        "name": rule["id"].replace("-", ""),
        "shortDescription": {"text": rule.get("title") or rule["id"]},
        "helpUri": spec_url(rule["id"]),
        "defaultConfiguration": {"level": level},
        "properties": {"level": rule.get("level"), "tags": ["mcp", rule["id"].split("-", 1)[0]]},
    }


def _result(
    report: dict[str, Any], rule: dict[str, Any], version: str, verdict: str, location: str
) -> dict[str, Any]:
    findings = [
        f
        for f in rule.get("findings", [])
        if f.get("severity") == verdict and f.get("version", "-") in (version, "-")
    ]
    first = findings[0] if findings else {}
    message = (first.get("message") or rule.get("title") or rule["id"]).strip()
    at = f" at {version}" if version != "-" else ""
    more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
    text = f"{rule['id']}{at}: {message.splitlines()[0][:900]}{more}"
    result: dict[str, Any] = {
        "ruleId": rule["id"],
        "level": LEVEL_OF_VERDICT[verdict],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": location}},
                "logicalLocations": [{"name": first.get("test") or rule["id"], "kind": "function"}],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(report, rule["id"], version)},
        "properties": {
            "protocolVersion": version,
            "verdict": verdict,
            "ruleLevel": rule.get("level"),
            "helpUri": spec_url(rule["id"], version),
            "tests": sorted({f.get("test") for f in findings if f.get("test")}),
        },
    }
    if first.get("failure_file"):
        result["properties"]["replay"] = f"mcp-harness replay {first['failure_file']}"
    if rule.get("baseline"):
        result["suppressions"] = [{"kind": "external", "justification": "listed in the CI baseline"}]
    return result


def _fingerprint(report: dict[str, Any], rule_id: str, version: str) -> str:
    server = report.get("server") or {}
    who = server.get("command") or server.get("url") or ""
    return hashlib.sha256(f"{rule_id}|{version}|{who}".encode()).hexdigest()[:32]


def _server_summary(server: dict[str, Any]) -> dict[str, Any]:
    info = server.get("serverInfo") or {}
    return {
        "command": server.get("command"),
        "url": server.get("url"),
        "transport": server.get("transport"),
        "name": info.get("name"),
        "version": info.get("version"),
    }
