"""Per-run signing keys and their public JWK form.

RSA 2048 with RS256 because it is the one algorithm every JWT library and
every resource server accepts; a key is made per run and never written
anywhere but the run's private work directory.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ALGORITHM = "RS256"


@dataclass(frozen=True)
class SigningKey:
    """A private key, the `kid` it is published under, and its algorithm."""

    kid: str
    private_key: rsa.RSAPrivateKey
    alg: str = ALGORITHM

    @classmethod
    def generate(cls, kid: str | None = None) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(kid or "sandbox-" + secrets.token_hex(8), key)

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK (`kty`, `n`, `e`, plus `kid`, `alg`, `use`)."""
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def write(self, path: Path) -> None:
        """Write the PEM readable by this user only (the service process reads it at start)."""
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_bytes(self.pem())

    @classmethod
    def read(cls, path: Path, kid: str) -> SigningKey:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return cls(kid, key)
