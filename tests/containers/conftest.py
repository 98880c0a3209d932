"""Fixtures for the provider parity tests: one sandbox per provider, per session.

The `docker` provider is skipped, with the reason shown, when no engine answers
(or when scripts/podman-setup.sh could not start one and said why in
MCP_CONTAINERS_SKIP); the `local` runs go on regardless. Nothing here waits
without a bound: engine detection takes at most 2 s, container readiness 60 s.
"""

from __future__ import annotations

import os
import time
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
        began = time.monotonic()
        _sandboxes[provider] = Sandbox(seed=SEED, provider=provider, backends=["postgres", "jira"]).start()
        _report.append(f"sandbox[{provider}] up in {time.monotonic() - began:.2f}s")
        _describe(provider, _sandboxes[provider])
    return _sandboxes[provider]


def pytest_report_header(config: pytest.Config) -> str:
    from sandbox.engine import detect_engine

    info = detect_engine(timeout=2.0)
    if info is None:
        return f"container engine: none ({engine_skip_reason()})"
    return f"container engine: {info.server or 'unknown'} at {info.docker_host}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Which containers ran, through which socket, and how long each backend took to answer."""
    for line in _report:
        terminalreporter.write_line(line)


_report: list[str] = []


def _describe(provider: str, sandbox: Sandbox) -> None:
    for backend in sandbox.backends:
        ready = getattr(backend, "ready_seconds", None)
        container = getattr(backend, "container", None)
        where = ""
        if container is not None:
            wrapped = container.get_wrapped_container()
            where = (
                f" container {wrapped.name} ({wrapped.image.tags[0] if wrapped.image.tags else '?'}) "
                f"via {os.environ.get('DOCKER_HOST', '?')}"
            )
        timing = f", start-to-ready {ready:.2f}s" if ready is not None else ""
        _report.append(f"sandbox[{provider}] {backend.name}:{where}{timing}")


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
