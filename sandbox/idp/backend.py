"""`IdpBackend`: the harness-side handle on the identity provider process.

Speaks the `sandbox.backend.Backend` protocol like the Jira service, and like
it is a `sandbox.service.LocalService`: one `python -m sandbox.idp` process on
a free loopback port, in its own process group, reaped on stop. The signing
key is made here, per run, and written to the run's private work directory
for the service; the backend keeps it so the harness can mint test tokens
in-process (`harness.auth.tokens.Minter.from_idp`).

Decision (docs/auth.md): minting in-process instead of through an admin
endpoint. The harness and the sandbox share a process already, the negative
tokens (untrusted key, `alg: none`, tampered claims) cannot come from a
correct issuer anyway, and no extra authenticated endpoint has to exist.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from typing import Self

from sandbox.backend import Change, Fingerprint
from sandbox.idp.app import JWKS_PATH
from sandbox.idp.keys import SigningKey
from sandbox.service import LocalService

NAME = "idp"
DEFAULT_AUDIENCE = "http://127.0.0.1:8000/mcp"  # the reference server's default URL
KEY_FILE = "idp-key.pem"


class IdpBackend(LocalService):
    """One identity provider process; `key`, `client_id`, `client_secret` are made per start."""

    name = NAME
    module = "sandbox.idp"
    what = "idp"
    log_name = "idp.log"
    ready_path = JWKS_PATH
    stop_grace = 3.0

    def __init__(self, workdir: Path, *, audience: str = DEFAULT_AUDIENCE) -> None:
        super().__init__(workdir)
        self.audience = audience
        self.key: SigningKey | None = None
        self.client_id = ""
        self.client_secret = ""

    # ------------------------------------------------------------------ lifecycle

    @property
    def issuer(self) -> str:
        return self.url

    def _configure(self) -> None:
        """A fresh signing key (written for the child to read) and client credentials."""
        self.key = SigningKey.generate()
        self.key.write(self.workdir / KEY_FILE)
        self.client_id = "harness-" + secrets.token_hex(4)
        self.client_secret = secrets.token_urlsafe(24)

    def _arguments(self) -> list[str]:
        assert self.key is not None
        return [
            "--key-file", str(self.workdir / KEY_FILE), "--kid", self.key.kid,
            "--client-id", self.client_id, "--audience", self.audience,
        ]  # fmt: skip

    def _environment(self) -> dict[str, str]:
        return {"IDP_CLIENT_SECRET": self.client_secret}

    def start(self) -> Self:
        """Make the key and client, launch the service, wait for its JWKS; idempotent."""
        try:
            return super().start()
        finally:
            with contextlib.suppress(OSError):
                # The service has read it (or failed): only the two processes hold the key now.
                (self.workdir / KEY_FILE).unlink()

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
