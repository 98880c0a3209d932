"""Where a rule is written down: the spec page (or client documentation) a report links to.

Catalogue entries name a page relative to the specification of one protocol
version (`basic/lifecycle`); client-dialect rules name the client's own
documentation by absolute URL. Reports need one clickable address either way.
"""

from __future__ import annotations

from harness import rules
from harness.protocol.versions import ALL_VERSIONS

SPEC_BASE = "https://modelcontextprotocol.io/specification"


def spec_url(rule_id: str, version: str | None = None) -> str:
    """The page that states `rule_id`, at `version` when the rule applies there (else its newest)."""
    try:
        rule = rules.get(rule_id)
    except KeyError:
        return f"{SPEC_BASE}/{ALL_VERSIONS[-1]}"
    if rule.page.startswith(("http://", "https://")):
        return rule.page
    at = version if version in rule.versions else rule.versions[-1]
    return f"{SPEC_BASE}/{at}/{rule.page}" if rule.page else f"{SPEC_BASE}/{at}"
