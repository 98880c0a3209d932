"""`JiraBackend`: the harness-side handle on one Jira-compatible service process.

It speaks the `sandbox.backend.Backend` protocol: start the service on a free
loopback port with per-run tokens, hand out the contract's variables, and
read the state fingerprint / change log / request log through the
sandbox-only admin API over one persistent HTTP connection (a fingerprint
must cost about a millisecond, since the oracle takes one before and after
every tool call).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from sandbox.backend import Change, Fingerprint

READY_TIMEOUT = 10.0
NAME = "jira"


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago (the child binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _default_email(seed: int) -> str:
    """The REST user: the first seeded agent, so `currentUser()` has assigned tickets."""
    from sandbox import data

    return data.jira_users(seed)[0]["email"]


class JiraBackend:
    """One `python -m sandbox.jira` process, in its own process group."""

    name = NAME

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
        self.seed = seed
        self.workdir = Path(workdir)
        self.canary = canary
        self.project = project
        self.deployment = deployment
        self.email = email or _default_email(seed)
        self.token = ""
        self.admin_token = ""
        self.port = 0
        self.url = ""
        self.log_path = self.workdir / "jira.log"
        self.restricted_key = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._admin: httpx.Client | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Launch the service and wait until `serverInfo` answers; idempotent."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.token = secrets.token_urlsafe(24)
        self.admin_token = secrets.token_urlsafe(24)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            {
                "JIRA_SANDBOX_TOKEN": self.token,
                "JIRA_SANDBOX_ADMIN_TOKEN": self.admin_token,
                "JIRA_SANDBOX_CANARY": self.canary or "",
                "PYTHONUNBUFFERED": "1",
            }
        )
        cmd = [
            sys.executable, "-m", "sandbox.jira",
            "--host", "127.0.0.1", "--port", str(self.port), "--seed", str(self.seed),
            "--email", self.email, "--project", self.project, "--deployment", self.deployment,
            "--exit-with-stdin",
        ]  # fmt: skip
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it; we close our copy below
        try:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,  # never written: it closes when we die (sandbox/owner.py)
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=str(Path(__file__).resolve().parents[2]),
                start_new_session=True,
            )
        finally:
            log.close()
        self._admin = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.admin_token}"}, timeout=10.0
        )
        try:
            self._wait_ready()
            self.restricted_key = self._admin_json("GET", "/_sandbox/state")["restricted_key"]
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        with httpx.Client(timeout=1.0) as probe:
            while time.monotonic() < deadline:
                assert self._proc is not None
                if self._proc.poll() is not None:
                    raise RuntimeError(
                        f"jira sandbox exited with {self._proc.returncode} during start:\n{self.log_tail()}"
                    )
                with contextlib.suppress(httpx.TransportError):
                    reply = probe.get(
                        f"{self.url}/rest/api/2/serverInfo", headers={"Authorization": f"Bearer {self.token}"}
                    )
                    if reply.status_code == 200:
                        return
                time.sleep(0.05)
        raise TimeoutError(f"jira sandbox did not answer within {READY_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """TERM the process group, KILL it if it lingers; idempotent, never raises."""
        try:
            if self._admin is not None:
                with contextlib.suppress(Exception):
                    self._admin.close()
                self._admin = None
            proc, self._proc = self._proc, None
            if proc is None:
                return
            for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                if proc.poll() is not None:
                    break
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=grace)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # stragglers in the group, if any
            if proc.stdin is not None:  # the owner pipe (sandbox/owner.py)
                with contextlib.suppress(OSError):
                    proc.stdin.close()
        except Exception:  # teardown must never raise
            pass

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def __enter__(self) -> JiraBackend:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

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
