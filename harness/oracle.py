"""The side-effect oracle: watch the sandbox's backends around every request.

When the harness runs with `--sandbox`, each session gets an `Oracle` as an
observer: it takes every backend's fingerprint when a request leaves and again
when its response arrives, and notes what changed (table, operation, rows;
Jira issue and method) on the exchange. Checks then judge those changes
against what the method or the tool's annotations promise (SIDE-*).
Overlapping requests share the blame: a change seen while two requests were
in flight is noted on both.
"""

from __future__ import annotations

from typing import Any

from harness.protocol.session import Exchange


class Oracle:
    """Fingerprints before and after each request; changes land on the exchange."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.requests = 0
        self.changed = 0

    def before(self, exchange: Exchange) -> None:
        self.requests += 1
        exchange.before = self.sandbox.fingerprint()

    def after(self, exchange: Exchange) -> None:
        before = exchange.before
        if before is None:
            return
        now = self.sandbox.fingerprint()
        if now != before:
            self.changed += 1
            # Ask only the backends that moved: each changes_since re-reads its state and log.
            moved = {name: fp for name, fp in before.items() if now.get(name) != fp}
            exchange.changes = list(self.sandbox.changes_since(moved))
