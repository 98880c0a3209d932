"""SURF-01..03: the surface a client caches (tools, prompts, resources, templates) holds still.

Pure functions over listings (every item of every page) that the suite took
while the sandbox saw no backend change, so a difference is the server's own.
These are hints to clients, so the rules are SHOULD: a finding is a WARN, and a
server that declares nothing is told so (INFO), not blamed.
"""

from __future__ import annotations

import json
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, info, warn

# list method -> (result key, the field that names an item, the notification that announces a change)
LISTS: dict[str, tuple[str, str, str]] = {
    "tools/list": ("tools", "name", "notifications/tools/list_changed"),
    "prompts/list": ("prompts", "name", "notifications/prompts/list_changed"),
    "resources/list": ("resources", "uri", "notifications/resources/list_changed"),
    "resources/templates/list": ("resourceTemplates", "uriTemplate", "notifications/resources/list_changed"),
}
CAPABILITY = {
    "tools/list": "tools",
    "prompts/list": "prompts",
    "resources/list": "resources",
    "resources/templates/list": "resources",
}
SHOWN = 3


def _by_name(method: str, items: list[Any]) -> dict[str, str]:
    field = LISTS[method][1]
    return {
        str(item.get(field)): json.dumps(item, sort_keys=True)
        for item in items
        if isinstance(item, dict) and field in item
    }


def difference(method: str, first: list[Any], second: list[Any]) -> str | None:
    """What differs between two listings, in words; None when they hold the same items."""
    a, b = _by_name(method, first), _by_name(method, second)
    if a == b:
        return None
    parts = []
    added, removed = sorted(set(b) - set(a)), sorted(set(a) - set(b))
    changed = sorted(name for name in set(a) & set(b) if a[name] != b[name])
    if added:
        parts.append(f"{len(added)} added ({', '.join(added[:SHOWN])})")
    if removed:
        parts.append(f"{len(removed)} gone ({', '.join(removed[:SHOWN])})")
    if changed:
        parts.append(f"{len(changed)} changed ({', '.join(changed[:SHOWN])})")
    return "; ".join(parts)


def notified(notifications: list[dict[str, Any]], method: str) -> bool:
    """Whether any of these notifications announces a change of `method`'s list."""
    return any(n.get("method") == LISTS[method][2] for n in notifications if isinstance(n, dict))


def declares_list_changed(capabilities: dict[str, Any], method: str) -> bool:
    capability = capabilities.get(CAPABILITY[method])
    return isinstance(capability, dict) and capability.get("listChanged") is True


@check("SURF-01")
def differs_across_sessions(method: str, listings: list[list[Any]]) -> list[Finding]:
    """SURF-01 (SHOULD): every fresh session is shown the same list (nothing changed meanwhile)."""
    for number, listing in enumerate(listings[1:], start=2):
        diff = difference(method, listings[0], listing)
        if diff is not None:
            return [
                warn(
                    "SURF-01",
                    f"{method} differs between fresh sessions 1 and {number} although no backend "
                    f"changed: {diff}",
                )
            ]
    return []


@check("SURF-02")
def changed_within_session(
    method: str, first: list[Any], second: list[Any], announced: bool, ttl_ms: Any = None
) -> list[Finding]:
    """SURF-02 (SHOULD): asked again in the same session, a list is the same unless a list_changed
    notification came in between; a declared ttlMs promised clients they could keep the first."""
    diff = difference(method, first, second)
    if diff is None or announced:
        return []
    promise = (
        f"; its ttlMs {ttl_ms} told clients to keep the first"
        if isinstance(ttl_ms, int) and not isinstance(ttl_ms, bool) and ttl_ms > 0
        else ""
    )
    return [
        warn(
            "SURF-02",
            f"{method} changed between two listings in one session, with no backend change and no "
            f"{LISTS[method][2]} in between: {diff}{promise}",
        )
    ]


@check("SURF-03")
def unannounced_change(
    method: str, before: list[Any], after: list[Any], declared: bool, announced: bool, change: str
) -> list[Finding]:
    """SURF-03 (SHOULD): a backend change that alters a list is announced when listChanged is declared."""
    diff = difference(method, before, after)
    if diff is None:
        return [
            info("SURF-03", f"{method} did not follow the sandbox change ({change}): nothing to announce")
        ]
    if not declared:
        return [
            info(
                "SURF-03",
                f"{method} changed after {change} ({diff}); listChanged is not declared, so clients "
                "must re-list on their own",
            )
        ]
    if announced:
        return []
    return [
        warn(
            "SURF-03",
            f"{method} changed after {change} ({diff}) and listChanged is declared, but no "
            f"{LISTS[method][2]} came",
        )
    ]
