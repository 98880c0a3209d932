"""The Jira-compatible service in a container, behind the local backend's admin-API code.

Only start/stop differ from `sandbox.jira.backend.JiraBackend`: the service
runs from the `jira` image with the same arguments and per-run tokens, and
`fingerprint()`, `changes_since()` and `reset()` (the `/_sandbox/` admin API)
are inherited unchanged. Reset is the service's reset endpoint, never a restart.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Self

from sandbox.containers.run import READY_TIMEOUT, ContainerRun
from sandbox.containers.service import InContainer
from sandbox.jira.backend import JiraBackend
from sandbox.wait import wait_http

PORT = 8080


class ContainerJiraBackend(InContainer, JiraBackend):
    """One Jira-compatible service container."""

    def __init__(
        self, run: ContainerRun, seed: int, workdir: Path, canary: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(seed, workdir, canary, **kwargs)
        self.run = run
        self.container: Any = None
        self.ready_seconds: float | None = None

    @property
    def running(self) -> bool:
        """Started and not stopped (the engine, not us, watches the process)."""
        return self.container is not None

    def start(self) -> Self:
        """Run the container, wait for serverInfo as the local service does; idempotent."""
        if self.running:
            return self
        self._configure()
        started = time.monotonic()
        container = self.run.container("jira", PORT)
        # Secrets through the environment, as for the local process, so they stay out of `ps`.
        for key, value in self._environment().items():
            container.with_env(key, value)
        container.with_command(self._arguments())
        container.with_kwargs(**self.run.run_kwargs("jira"))
        try:
            self.container = container.start()
            self.port = int(container.get_exposed_port(PORT))
            wait_http(
                self.url + self.ready_path,
                timeout=READY_TIMEOUT,
                what="the jira container",
                headers=self._ready_headers(),
                exited=self._container_exited,
                log_tail=self.log_tail,
            )
            self.ready_seconds = time.monotonic() - started
            self._on_ready()
        except BaseException:
            self.container = self.container or container
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Close the admin client and remove the container; idempotent, never raises."""
        self._close_admin()
        self._remove_container()
