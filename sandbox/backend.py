"""The one small protocol every sandbox backend speaks, whatever runs it.

A backend is a real service (PostgreSQL, the Jira-compatible REST service, ...)
started by a provider (local processes or containers). The harness only ever
talks to this protocol, so the oracle and the fixtures do not care which
provider is in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Self, runtime_checkable


@dataclass(frozen=True)
class Change:
    """One observed change in a backend, as precise as its change log allows.

    `what` names the object (a table, a Jira issue key); `operation` is the verb
    (INSERT, UPDATE, DELETE, TRUNCATE, DDL, nextval, POST /issue, ...).
    """

    backend: str
    what: str
    operation: str
    count: int = 1
    detail: str = ""


@dataclass(frozen=True)
class Fingerprint:
    """A cheap, exact summary of a backend's state: equal iff nothing changed."""

    backend: str
    token: str
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@runtime_checkable
class Backend(Protocol):
    """What the Sandbox needs from each backend.

    tests/sandbox/test_backend_protocol.py checks that every backend class
    has all of it, with these parameters.
    """

    name: str

    def start(self) -> Self:
        """Start (or attach to) the service and wait until it answers; idempotent; returns the backend."""

    def stop(self) -> None:
        """Stop the service and everything it started; idempotent, never raises."""

    def env(self) -> dict[str, str]:
        """The contract's variables this backend contributes (see DESIGN.md)."""

    def fingerprint(self) -> Fingerprint:
        """Summarise the current state; must take well under 5 ms."""

    def changes_since(self, before: Fingerprint) -> list[Change]:
        """What changed since `before` (empty when the fingerprint is equal)."""

    def reset(self) -> None:
        """Return to the seeded state; a no-op when nothing changed."""

    def canaries(self) -> list[str]:
        """The per-run secrets this backend holds; none may ever appear in a server's output (SEC-01)."""
