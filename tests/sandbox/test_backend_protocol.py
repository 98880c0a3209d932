"""Every backend class speaks the whole `sandbox.backend.Backend` protocol.

The Sandbox calls only the protocol, so a backend missing a method (or taking
other parameters) would fail only when that call comes, in the middle of a
run. This checks all of them at once, without starting anything (the idea of
testcontainers' tests/core/test_protocol_compliance.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.backend import Backend
from sandbox.containers.jira import ContainerJiraBackend
from sandbox.containers.postgres import ContainerPostgresBackend
from sandbox.idp.backend import IdpBackend
from sandbox.jira.backend import JiraBackend
from sandbox.postgres.backend import PostgresBackend
from sandbox.sandbox import DEFAULT_BACKENDS

# Each class, and how to make an unstarted one (no engine, no process: constructors only store).
BACKENDS: dict[type, Callable[[Path], Backend]] = {
    PostgresBackend: lambda tmp: PostgresBackend(seed=42),
    ContainerPostgresBackend: lambda tmp: ContainerPostgresBackend(run=None),  # type: ignore[arg-type]
    JiraBackend: lambda tmp: JiraBackend(42, tmp),
    ContainerJiraBackend: lambda tmp: ContainerJiraBackend(None, 42, tmp),  # type: ignore[arg-type]
    IdpBackend: lambda tmp: IdpBackend(tmp),
}


def protocol_methods() -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(Backend).items()
        if callable(member) and not name.startswith("_")
    }


def test_the_protocol_has_every_call_the_sandbox_makes() -> None:
    assert set(protocol_methods()) == {
        "start", "stop", "env", "fingerprint", "changes_since", "reset", "canaries",
    }  # fmt: skip
    assert set(Backend.__annotations__) == {"name"}


def test_every_default_backend_has_a_class_here() -> None:
    assert set(DEFAULT_BACKENDS) <= {cls.name for cls in BACKENDS}  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", list(BACKENDS), ids=lambda cls: cls.__name__)
def test_backend_class_has_every_member_with_the_same_parameters(cls: type) -> None:
    assert isinstance(getattr(cls, "name", None), str)
    for name, expected in protocol_methods().items():
        member = getattr(cls, name, None)
        assert callable(member), f"{cls.__name__} has no {name}()"
        assert list(inspect.signature(member).parameters) == list(expected.parameters), (
            f"{cls.__name__}.{name}{inspect.signature(member)} differs from Backend.{name}{expected}"
        )


@pytest.mark.parametrize("cls", list(BACKENDS), ids=lambda cls: cls.__name__)
def test_an_unstarted_backend_is_a_backend_with_no_secrets_yet(cls: type, tmp_path: Path) -> None:
    backend = BACKENDS[cls](tmp_path)
    assert isinstance(backend, Backend)
    assert backend.canaries() == []  # safe before start: the Sandbox asks after a failed start too
    backend.stop()  # and so is stop
