"""`Sandbox`: the mock enterprise as one context manager over its backends.

    with Sandbox(seed=42) as sb:
        env = sb.env()              # hand to the server under test
        before = sb.fingerprint()
        ...                         # call a tool
        sb.changes_since(before)    # [] if the tool wrote nothing
        sb.reset()                  # back to the seed (no-op if unchanged)

Providers: `local` runs the backends as processes here; `docker` runs them in
containers through Testcontainers (`sandbox/containers/`, Docker or Podman);
`auto` picks containers when an engine answers, else local. `SANDBOX_PROVIDER` sets the default.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self

from sandbox.backend import Backend, Change, Fingerprint
from sandbox.data import Sizes
from sandbox.engine import detect_engine
from sandbox.paths import mark_owner, runtime_parent
from sandbox.service import Service

log = logging.getLogger(__name__)

PROVIDERS = ("auto", "local", "docker")
DEFAULT_BACKENDS = ("postgres", "jira", "idp")


def resolve_provider(provider: str | None = None) -> str:
    """`local` or `docker`, from the argument, then SANDBOX_PROVIDER, then auto-detection."""
    choice = (provider or os.environ.get("SANDBOX_PROVIDER") or "auto").strip().lower()
    if choice not in PROVIDERS:
        raise ValueError(f"unknown sandbox provider {choice!r}; choose one of {', '.join(PROVIDERS)}")
    if choice == "auto":
        return "docker" if detect_engine(timeout=2.0) is not None else "local"
    return choice


class Sandbox(Service):
    """Real backends seeded with deterministic data, behind the `Backend` protocol."""

    def __init__(
        self,
        seed: int | None = None,
        provider: str | None = None,
        sizes: Sizes | None = None,
        backends: Iterable[str | Backend] | None = None,
        scale: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.seed = int(seed if seed is not None else os.environ.get("SANDBOX_SEED", "42"))
        self.sizes = sizes or Sizes.from_env(scale)
        self.provider = resolve_provider(provider)
        self._progress = progress or (lambda _: None)
        self.workdir: Path | None = None
        self._requested = list(backends) if backends is not None else list(DEFAULT_BACKENDS)
        self.backends: list[Backend] = []
        self._started = False
        self._atexit_registered = False
        self._planted: list[str] = []
        self._run: Any = None  # sandbox.containers.run.ContainerRun for the docker provider

    # ------------------------------------------------------------------ building

    def _make(self, spec: str | Backend) -> Backend:
        if not isinstance(spec, str):
            return spec
        assert self.workdir is not None
        if spec == "postgres" and self._run is not None:
            from sandbox.containers.postgres import ContainerPostgresBackend

            return ContainerPostgresBackend(
                self._run, self.seed, self.sizes, progress=lambda m: self._progress(f"postgres: {m}")
            )
        if spec == "postgres":
            from sandbox.postgres.backend import PostgresBackend

            return PostgresBackend(self.seed, self.sizes, progress=lambda m: self._progress(f"postgres: {m}"))
        if spec == "jira":
            if self.sizes.scale != 1.0:  # tickets name customers by id, drawn from the default count
                warnings.warn("the Jira service's tickets assume the default scale", stacklevel=4)
            workdir = self.workdir / "jira"
            workdir.mkdir(exist_ok=True)
            canary = "CANARY-JIRA-" + secrets.token_hex(16)  # planted in an issue the API user may not see
            self._planted.append(canary)
            kwargs: dict[str, Any] = {"seed": self.seed, "workdir": workdir, "canary": canary}
            if self._run is not None:
                from sandbox.containers.jira import ContainerJiraBackend

                return ContainerJiraBackend(self._run, **kwargs)
            from sandbox.jira.backend import JiraBackend

            return JiraBackend(**kwargs)
        if spec == "idp":  # the test identity provider (OAUTH_* variables, AUTH rules; docs/auth.md)
            from sandbox.idp.backend import IdpBackend

            workdir = self.workdir / "idp"
            workdir.mkdir(exist_ok=True)
            return IdpBackend(workdir)
        raise ValueError(f"unknown backend {spec!r}; known: {', '.join(DEFAULT_BACKENDS)}")

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Start every backend (in parallel); on any failure stop them all and re-raise."""
        if self._started:
            return self
        if not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True
        # Next to the backends' run dirs and marked with our PID, so a crashed run's is reaped too.
        self.workdir = Path(tempfile.mkdtemp(prefix="mcp-sandbox-work-", dir=runtime_parent()))
        mark_owner(self.workdir)
        try:
            if self.provider == "docker":
                from sandbox.containers.run import ContainerRun

                names = [s for s in self._requested if isinstance(s, str)]
                self._run = ContainerRun(progress=self._progress).open(names)
            self.backends = [self._make(spec) for spec in self._requested]
            with ThreadPoolExecutor(max_workers=max(1, len(self.backends))) as pool:
                futures = [pool.submit(backend.start) for backend in self.backends]
                errors = [f.exception() for f in futures]
            failed = [e for e in errors if e is not None]
            if failed:
                raise failed[0]
        except BaseException:
            self.stop()
            raise
        self._started = True
        self._progress("ready")
        return self

    def stop(self) -> None:
        """Stop every backend (in reverse order) and remove the work dir; never raises."""
        for backend in reversed(self.backends):
            try:
                backend.stop()
            except Exception:  # the protocol says never raises; be safe anyway
                log.exception("stopping backend %s failed", getattr(backend, "name", backend))
        self._started = False
        run, self._run = self._run, None
        if run is not None:
            run.close()  # the network, and any container a failed start left behind
        if self._atexit_registered:
            atexit.unregister(self.stop)
            self._atexit_registered = False
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    # ------------------------------------------------------------------ contract

    def backend(self, name: str) -> Any:
        """The running backend called `name` (KeyError if absent)."""
        for backend in self.backends:
            if backend.name == name:
                return backend
        raise KeyError(name)

    def env(self) -> dict[str, str]:
        """All contract variables (DESIGN.md, "The sandbox contract")."""
        merged: dict[str, str] = {}
        for backend in self.backends:
            merged.update(backend.env())
        merged["SANDBOX_SEED"] = str(self.seed)
        return merged

    def fingerprint(self) -> dict[str, Fingerprint]:
        return {backend.name: backend.fingerprint() for backend in self.backends}

    def changes_since(self, before: dict[str, Fingerprint]) -> list[Change]:
        changes: list[Change] = []
        for backend in self.backends:
            if backend.name in before:
                changes.extend(backend.changes_since(before[backend.name]))
        return changes

    def reset(self) -> None:
        for backend in self.backends:
            backend.reset()

    def canaries(self) -> list[str]:
        """Secrets planted or made per run; none may ever appear in a server's output."""
        values: list[str] = list(self._planted)
        for backend in self.backends:
            values.extend(backend.canaries())
        return sorted(set(values))
