"""`IdpBackend`: the harness-side handle on the identity provider process.

Speaks the `sandbox.backend.Backend` protocol like the Jira service: one
`python -m sandbox.idp` process on a free loopback port, in its own process
group, reaped on stop. The signing key is made here, per run, and written to
the run's private work directory for the service; the backend keeps it so the
harness can mint test tokens in-process (`harness.tokens.Minter.from_idp`).

Decision (docs/auth.md): minting in-process instead of through an admin
endpoint. The harness and the sandbox share a process already, the negative
tokens (untrusted key, `alg: none`, tampered claims) cannot come from a
correct issuer anyway, and no extra authenticated endpoint has to exist.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx

from sandbox.backend import Change, Fingerprint
from sandbox.idp.app import JWKS_PATH
from sandbox.idp.keys import SigningKey
from sandbox.procs import stop_process

NAME = "idp"
READY_TIMEOUT = 10.0
DEFAULT_AUDIENCE = "http://127.0.0.1:8000/mcp"  # the reference server's default URL


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class IdpBackend:
    """One identity provider process; `key`, `client_id`, `client_secret` are made per start."""

    name = NAME

    def __init__(self, workdir: Path, *, audience: str = DEFAULT_AUDIENCE) -> None:
        self.workdir = Path(workdir)
        self.audience = audience
        self.key: SigningKey | None = None
        self.client_id = ""
        self.client_secret = ""
        self.port = 0
        self.issuer = ""
        self.log_path = self.workdir / "idp.log"
        self._proc: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Make the key and client, launch the service, wait for its metadata; idempotent."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.key = SigningKey.generate()
        key_file = self.workdir / "idp-key.pem"
        self.key.write(key_file)
        self.client_id = "harness-" + secrets.token_hex(4)
        self.client_secret = secrets.token_urlsafe(24)
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "IDP_CLIENT_SECRET": self.client_secret, "PYTHONUNBUFFERED": "1"}
        cmd = [
            sys.executable, "-m", "sandbox.idp", "--host", "127.0.0.1", "--port", str(self.port),
            "--key-file", str(key_file), "--kid", self.key.kid, "--client-id", self.client_id,
            "--audience", self.audience, "--exit-with-stdin",
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
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        finally:
            with contextlib.suppress(OSError):
                key_file.unlink()  # the service has read it; only the two processes hold the key now

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        with httpx.Client(timeout=1.0, trust_env=False) as probe:
            while time.monotonic() < deadline:
                assert self._proc is not None
                if self._proc.poll() is not None:
                    raise RuntimeError(
                        f"idp exited with {self._proc.returncode} during start:\n{self.log_tail()}"
                    )
                with contextlib.suppress(httpx.TransportError):
                    if probe.get(self.issuer + JWKS_PATH).status_code == 200:
                        return
                time.sleep(0.05)
        raise TimeoutError(f"idp did not answer within {READY_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """TERM the process group, then KILL; always reaped; idempotent, never raises."""
        proc, self._proc = self._proc, None
        stop_process(proc, grace=3.0, second_grace=2.0)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def __enter__(self) -> IdpBackend:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ contract

    def env(self) -> dict[str, str]:
        return {
            "OAUTH_ISSUER": self.issuer,
            "OAUTH_JWKS_URL": self.issuer + JWKS_PATH,
            "OAUTH_AUDIENCE": self.audience,
        }

    def fingerprint(self) -> Fingerprint:
        """The IdP holds no state a tool could change: a constant fingerprint."""
        return Fingerprint(NAME, "0")

    def changes_since(self, before: Fingerprint) -> list[Change]:
        return []

    def reset(self) -> None:
        """Nothing to reset."""

    def canaries(self) -> list[str]:
        """The client secret must never show up in a server's output."""
        return [self.client_secret] if self.client_secret else []

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"
