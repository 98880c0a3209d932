"""Fixtures for the provider parity tests: one sandbox per provider, per session.

The `docker` provider is skipped, with the reason shown, when no engine answers
(or when scripts/podman-setup.sh could not start one and said why in
MCP_CONTAINERS_SKIP); the `local` runs go on regardless. Nothing here waits
without a bound: engine detection takes at most 2 s, container readiness 60 s.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sandbox.sandbox import Sandbox

PROVIDERS = ("local", "docker")
SEED = 42
_sandboxes: dict[str, Sandbox] = {}


def engine_skip_reason() -> str | None:
    """Why the docker provider cannot run here, or None when an engine answers."""
    reason = os.environ.get("MCP_CONTAINERS_SKIP")
    if reason:
        return f"container engine unavailable: {reason}"
    from sandbox.engine import detect_engine

    if detect_engine(timeout=2.0) is None:
        return "no container engine answers (run `make test-containers` to start Podman)"
    return None


def require_engine() -> None:
    reason = engine_skip_reason()
    if reason:
        pytest.skip(reason)


def started(provider: str) -> Sandbox:
    """The session's sandbox for `provider`, started on first use (both stop at session end)."""
    if provider == "docker":
        require_engine()
    if provider not in _sandboxes:
        _sandboxes[provider] = Sandbox(seed=SEED, provider=provider, backends=["postgres", "jira"]).start()
    return _sandboxes[provider]


@pytest.fixture(scope="session", autouse=True)
def _stop_sandboxes() -> Iterator[None]:
    yield
    while _sandboxes:
        _sandboxes.popitem()[1].stop()


@pytest.fixture(params=PROVIDERS, scope="session")
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sb(provider: str) -> Sandbox:
    """The provider's sandbox, reset to the seed before the test."""
    sandbox = started(provider)
    sandbox.reset()
    return sandbox


@pytest.fixture
def local_sb() -> Sandbox:
    """The local provider's sandbox: the reference the other provider must match."""
    return started("local")
