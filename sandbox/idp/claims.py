"""RFC 9068 access tokens: the claim set and its signing, shared by the service and the harness.

One function builds every token the sandbox ever hands out, so the tokens the
`/token` endpoint issues and the ones the harness mints for its tests (T_ok
and its one-defect variants) have exactly the same shape.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt

from sandbox.idp.keys import SigningKey

TOKEN_TYPE = "at+jwt"  # RFC 9068 §2.1: the `typ` header of a JWT access token
DEFAULT_LIFETIME = 600


def claims(
    *,
    issuer: str,
    audience: str | list[str] | None,
    scopes: list[str] | tuple[str, ...],
    subject: str,
    client_id: str,
    lifetime: int = DEFAULT_LIFETIME,
    now: int | None = None,
    jti: str | None = None,
) -> dict[str, Any]:
    """The RFC 9068 §2.2 claim set (`aud` left out when `audience` is None)."""
    issued = int(time.time()) if now is None else now
    body: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "client_id": client_id,
        "scope": " ".join(scopes),
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime,
        "jti": jti or secrets.token_hex(16),
    }
    if audience is not None:
        body["aud"] = audience
    return body


def sign(body: dict[str, Any], key: SigningKey, *, kid: str | None = None) -> str:
    """A compact JWS over `body` with `typ: at+jwt` and the key's `kid` (or `kid` when given)."""
    return jwt.encode(
        body, key.private_key, algorithm=key.alg, headers={"kid": kid or key.kid, "typ": TOKEN_TYPE}
    )
