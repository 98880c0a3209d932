"""`JiraBackend`: the harness-side handle on one Jira-compatible service process.

It speaks the `sandbox.backend.Backend` protocol: start the service on a free
loopback port with per-run tokens, hand out the contract's variables, and
read the state fingerprint / change log / request log through the
sandbox-only admin API over one persistent HTTP connection (a fingerprint
must cost about a millisecond, since the oracle takes one before and after
every tool call). Spawning, waiting, the log and stopping are
`sandbox.service.LocalService`'s; this class says only what is Jira's.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from typing import Any

import httpx

from sandbox.backend import Change, Fingerprint
from sandbox.service import LocalService

NAME = "jira"


def _default_email(seed: int) -> str:
    """The REST user: the first seeded agent, so `currentUser()` has assigned tickets."""
    from sandbox import data

    return data.jira_users(seed)[0]["email"]


class JiraBackend(LocalService):
    """One `python -m sandbox.jira` process, in its own process group."""

    name = NAME
    module = "sandbox.jira"
    what = "jira sandbox"
    log_name = "jira.log"
    ready_path = "/rest/api/2/serverInfo"

    def __init__(
        self,
        seed: int,
        workdir: Path,
        canary: str | None = None,
        *,
        project: str = "SUP",
        deployment: str = "Cloud",
        email: str | None = None,
    ) -> None:
        super().__init__(workdir)
        self.seed = seed
        self.canary = canary
        self.project = project
        self.deployment = deployment
        self.email = email or _default_email(seed)
        self.token = ""
        self.admin_token = ""
        self.restricted_key = ""
        self._admin: httpx.Client | None = None

    # ------------------------------------------------------------------ lifecycle

    def _configure(self) -> None:
        """Per-start tokens: the REST user's and the sandbox admin API's."""
        self.token = secrets.token_urlsafe(24)
        self.admin_token = secrets.token_urlsafe(24)

    def _arguments(self) -> list[str]:
        return [
            "--seed", str(self.seed), "--email", self.email, "--project", self.project,
            "--deployment", self.deployment,
        ]  # fmt: skip

    def _environment(self) -> dict[str, str]:
        return {
            "JIRA_SANDBOX_TOKEN": self.token,
            "JIRA_SANDBOX_ADMIN_TOKEN": self.admin_token,
            "JIRA_SANDBOX_CANARY": self.canary or "",
        }

    def _ready_headers(self) -> dict[str, str]:
        """serverInfo with the user's token: proves the service took our tokens, not only that it listens."""
        return {"Authorization": f"Bearer {self.token}"}

    def _on_ready(self) -> None:
        """Open the persistent admin connection and learn which issue the user may not see."""
        self._admin = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.admin_token}"}, timeout=10.0
        )
        self.restricted_key = self._admin_json("GET", "/_sandbox/state")["restricted_key"]

    def _close_admin(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            with contextlib.suppress(Exception):
                admin.close()

    def stop(self) -> None:
        """Close the admin connection, then stop the process group; idempotent, never raises."""
        self._close_admin()
        super().stop()

    # ------------------------------------------------------------------ contract

    def env(self) -> dict[str, str]:
        return {
            "JIRA_URL": self.url,
            "JIRA_EMAIL": self.email,
            "JIRA_API_TOKEN": self.token,
            "JIRA_PROJECT": self.project,
        }

    def _admin_json(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._admin is None:
            raise RuntimeError("jira sandbox is not running")
        reply = self._admin.request(method, path, **kwargs)
        reply.raise_for_status()
        return reply.json()

    def fingerprint(self) -> Fingerprint:
        state = self._admin_json("GET", "/_sandbox/state")
        return Fingerprint(NAME, str(state["mutations"]), extra=state)

    def changes_since(self, before: Fingerprint) -> list[Change]:
        since = int(before.token)
        data = self._admin_json("GET", "/_sandbox/changes", params={"since": since})
        changes = [
            Change(NAME, item["key"], item["operation"], 1, f"{item['method']} {item['path']}")
            for item in data["changes"]
        ]
        if data["truncated"]:
            changes.insert(0, Change(NAME, "*", "truncated", 1, "change log overflowed; older changes lost"))
        return changes

    def reset(self) -> None:
        """Back to the seeded state (the service itself skips it when nothing changed)."""
        self._admin_json("POST", "/_sandbox/reset")

    # ------------------------------------------------------------------ sandbox extras

    def canaries(self) -> list[str]:
        """What must never appear in a server's output: the restricted issue's secret, both tokens."""
        return [v for v in (self.canary, self.token, self.admin_token) if v]

    def requests_seen(self, since: int = 0) -> list[dict[str, Any]]:
        """The recorded API requests (method, path, query, authorization, status) after `since`."""
        return self._admin_json("GET", "/_sandbox/requests", params={"since": since})["requests"]

    def set_faults(
        self,
        status: int | None = None,
        delay_ms: int = 0,
        paths: str | None = None,
        count: int | None = None,
    ) -> dict[str, Any]:
        """Make matching API requests fail with `status` and/or wait `delay_ms`; no arguments clears."""
        body = {"status": status, "delay_ms": delay_ms, "paths": paths, "count": count}
        return self._admin_json("POST", "/_sandbox/faults", json=body)

    def clear_faults(self) -> None:
        self.set_faults()

    def admin_issue(self, key: str) -> dict[str, Any]:
        """Any issue (restricted ones too) as the admin sees it."""
        return self._admin_json("GET", f"/_sandbox/issue/{key}")
