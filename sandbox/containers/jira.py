"""The Jira-compatible service in a container, behind the local backend's admin-API code.

Only start/stop differ from `sandbox.jira.backend.JiraBackend`: the service
runs from the `jira` image with the same arguments and per-run tokens, and
`fingerprint()`, `changes_since()` and `reset()` (the `/_sandbox/` admin API)
are inherited unchanged. Reset is the service's reset endpoint, never a restart.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from pathlib import Path
from typing import Any

import httpx

from sandbox.containers.run import LOOPBACK, READY_TIMEOUT, ContainerRun
from sandbox.jira.backend import JiraBackend

PORT = 8080


class ContainerJiraBackend(JiraBackend):
    """One Jira-compatible service container."""

    def __init__(
        self, run: ContainerRun, seed: int, workdir: Path, canary: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(seed, workdir, canary, **kwargs)
        self.run = run
        self.container: Any = None
        self.ready_seconds: float | None = None

    def start(self) -> None:
        if self.container is not None:
            return
        self.token = secrets.token_urlsafe(24)
        self.admin_token = secrets.token_urlsafe(24)
        started = time.monotonic()
        container = self.run.container("jira", PORT)
        # Secrets through the environment, as for the local process, so they stay out of `ps`.
        container.with_env("JIRA_SANDBOX_TOKEN", self.token)
        container.with_env("JIRA_SANDBOX_ADMIN_TOKEN", self.admin_token)
        container.with_env("JIRA_SANDBOX_CANARY", self.canary or "")
        container.with_command(
            [
                "--seed",
                str(self.seed),
                "--email",
                self.email,
                "--project",
                self.project,
                "--deployment",
                self.deployment,
            ]
        )
        container.with_kwargs(**self.run.run_kwargs("jira"))
        try:
            self.container = container.start()
            self.port = int(container.get_exposed_port(PORT))
            self.url = f"http://{LOOPBACK}:{self.port}"
            self._admin = httpx.Client(
                base_url=self.url, headers={"Authorization": f"Bearer {self.admin_token}"}, timeout=10.0
            )
            self._wait_ready()
            self.ready_seconds = time.monotonic() - started
            self.restricted_key = self._admin_json("GET", "/_sandbox/state")["restricted_key"]
        except BaseException:
            self.container = self.container or container
            self.stop()
            raise

    def _wait_ready(self) -> None:
        """Until serverInfo answers with the user's token; fail at once if the container exits."""
        deadline = time.monotonic() + READY_TIMEOUT
        with httpx.Client(timeout=1.0) as probe:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.TransportError):
                    reply = probe.get(
                        f"{self.url}/rest/api/2/serverInfo", headers={"Authorization": f"Bearer {self.token}"}
                    )
                    if reply.status_code == 200:
                        return
                wrapped = self.container.get_wrapped_container()
                wrapped.reload()
                if wrapped.status in ("exited", "dead"):
                    raise RuntimeError(f"the jira container exited:\n{self.log_tail()}")
                time.sleep(0.05)
        raise TimeoutError(f"jira container did not answer within {READY_TIMEOUT:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(Exception):
            out, err = self.container.get_logs()
            return "\n".join((out + err).decode(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def stop(self) -> None:
        """Close the admin client and remove the container; idempotent, never raises."""
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
            self._admin = None
        container, self.container = self.container, None
        if container is not None:
            with contextlib.suppress(Exception):
                container.stop(force=True, delete_volume=True)

    @property
    def pid(self) -> int | None:
        return None
