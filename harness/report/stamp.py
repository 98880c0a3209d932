"""What a report is stamped with so that a pinned run can be reproduced and compared.

Why: a verdict is only meaningful together with the checks that produced it.
Two reports made by different harness releases, or by the same release with an
edited rule catalogue (a level changed, a rule added), can disagree although
the server did not change. Every report.json and SARIF driver therefore names
the harness version and a digest of the catalogue; `merge` refuses to combine
reports whose stamps differ and `diff` says so when they do.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from functools import cache
from typing import Any

TOOL_NAME = "mcp-harness"


@cache
def catalogue_digest() -> str:
    """SHA-256 of the rule catalogue as data (ids, levels, versions, titles, caps), in catalogue order."""
    from harness import rules

    entries = [asdict(rule) for rule in rules.RULES.values()]
    canonical = json.dumps(entries, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def tool_stamp() -> dict[str, Any]:
    """The `tool` object of report.json: name, version and the catalogue it judged by."""
    from harness import __version__, rules

    return {
        "name": TOOL_NAME,
        "version": __version__,
        "catalogue": {"rules": len(rules.RULES), "sha256": catalogue_digest()},
    }


def same_checks(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when two reports were judged by the same harness version and catalogue."""
    ta, tb = a.get("tool") or {}, b.get("tool") or {}
    return ta.get("version") == tb.get("version") and (ta.get("catalogue") or {}).get("sha256") == (
        tb.get("catalogue") or {}
    ).get("sha256")


def describe(report: dict[str, Any]) -> str:
    """`mcp-harness 0.1.0, catalogue 150 rules sha256:1a2b3c4d` for headers and messages."""
    tool = report.get("tool") or {}
    catalogue = tool.get("catalogue") or {}
    digest = str(catalogue.get("sha256") or "?")[:12]
    return f"{tool.get('name', TOOL_NAME)} {tool.get('version', '?')}, catalogue {catalogue.get('rules', '?')} rules sha256:{digest}"
