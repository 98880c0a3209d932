"""One registry of checks by rule id, and the one frame judge built on it.

Why: the pytest plugin, the property engine and replay used to run their own,
different sets of always-on checks (and kept their bookkeeping in
`session.__dict__`). Now a check says which rules it reports with `@check`,
the always-on ones (`always=True`) are run by `judge()` over a slice of one
session, and every caller runs exactly the same set. `mcp-harness rules` reads
the *check* column of the coverage table from here.

    @check("RPC-02")
    def id_echo(exchange): ...

    @check("RPC-01", "CAP-02", always=True)
    def frames(view: SessionView) -> list[Finding]: ...
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from harness.findings import Finding
from harness.protocol.versions import ALL_VERSIONS

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class RegisteredCheck:
    """A check function and the rule ids it can report."""

    name: str
    rules: tuple[str, ...]
    function: Callable[..., Any]
    always: bool  # run by judge() over every watched slice of frames


_CHECKS: dict[str, RegisteredCheck] = {}


def check(*rules: str, always: bool = False) -> Callable[[F], F]:
    """Register the decorated function as the check for `rules`.

    `always=True` marks a check the judge runs over every session slice; it
    must then take one `SessionView` argument and return a list of findings.
    """
    if not rules:
        raise ValueError("@check needs at least one rule id")

    def register(function: F) -> F:
        name = f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}"
        if name in _CHECKS and _CHECKS[name].function is not function:
            raise ValueError(f"{name} is registered twice")
        _CHECKS[name] = RegisteredCheck(name, tuple(rules), function, always)
        return function

    return register


def registered() -> list[RegisteredCheck]:
    """Every check, once the check modules are imported (`load_all`)."""
    load_all()
    return sorted(_CHECKS.values(), key=lambda c: c.name)


def checks_by_rule() -> dict[str, list[str]]:
    """Rule id -> the names of the checks that report it (the coverage table's *check* column)."""
    table: dict[str, list[str]] = {}
    for entry in registered():
        for rule in entry.rules:
            table.setdefault(rule, []).append(entry.name)
    return table


def load_all() -> None:
    """Import every module under harness/checks so that its decorators have run."""
    import importlib
    import pkgutil

    import harness.checks as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"harness.checks.{module.name}")


# -- the judge -------------------------------------------------------------------------
@dataclass
class Mark:
    """Where a watched slice of one session starts: counts of what it had seen by then."""

    received: int
    exchanges: int
    unmatched: int
    seq: int

    @classmethod
    def of(cls, session: Any) -> Mark:
        return cls(
            len(session.received),
            len(session.exchanges),
            len(session.unmatched),
            session.transcript.last_seq,
        )


@dataclass
class SessionView:
    """What the always-on checks see: one session's frames and exchanges since a mark."""

    session: Any
    mark: Mark
    version: str | None
    era: str
    secrets: list[str] = field(default_factory=list)
    seen_server_request_ids: set[str] = field(default_factory=set)

    @property
    def received(self) -> list[Any]:
        return self.session.received[self.mark.received :]

    @property
    def server_frames(self) -> list[Any]:
        return [item.message for item in self.received]

    @property
    def exchanges(self) -> list[Any]:
        return self.session.exchanges[self.mark.exchanges :]

    @property
    def unmatched(self) -> list[Any]:
        return self.session.unmatched[self.mark.unmatched :]

    @property
    def transcript_frames(self) -> list[Any]:
        return self.session.transcript.since(self.mark.seq)


class Judge:
    """Runs every always-on check over slices of one session.

    One per session (`judge_of`): it keeps what must last across slices and
    tests, the server request ids already seen (RPC-06: unique for the life
    of the session), while each caller keeps its own `Mark`.
    """

    def __init__(self, session: Any, *, secrets: Iterable[str] = ()) -> None:
        self.session = session
        self.secrets = list(secrets)
        self.seen_server_request_ids: set[str] = set()

    def mark(self) -> Mark:
        """Where a slice that starts now begins."""
        return Mark.of(self.session)

    def judge(self, since: Mark, *, version: str | None = None, era: str | None = None) -> list[Finding]:
        """Findings for everything the session saw after `since`.

        `version` and `era` are the caller's expectation, used while the
        session itself has not settled them (before a handshake, or when the
        server answered a version that does not exist).
        """
        session = self.session
        view = SessionView(
            session=session,
            mark=since,
            version=session.version if session.version in ALL_VERSIONS else version,
            era=session.era if session.era != "unknown" else (era or "legacy"),
            secrets=self.secrets,
            seen_server_request_ids=self.seen_server_request_ids,
        )
        found: list[Finding] = []
        for entry in _always():
            found += entry.function(view)
        return found


_JUDGES: weakref.WeakKeyDictionary[Any, Judge] = weakref.WeakKeyDictionary()


def judge_of(session: Any, *, secrets: Iterable[str] = ()) -> Judge:
    """The judge of `session` (made on first use; `secrets` updated each call)."""
    judge = _JUDGES.get(session)
    if judge is None:
        judge = _JUDGES[session] = Judge(session)
    judge.secrets = list(secrets)
    return judge


_ALWAYS: list[RegisteredCheck] | None = None


def _always() -> list[RegisteredCheck]:
    """The always-on checks, in a fixed order (registration order of `harness.checks.always`)."""
    global _ALWAYS
    if _ALWAYS is None:
        import harness.checks.always  # noqa: F401 - registers them

        _ALWAYS = [entry for entry in _CHECKS.values() if entry.always]
    return _ALWAYS
