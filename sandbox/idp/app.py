"""The identity provider's HTTP surface (Starlette): metadata, JWKS and `/token`.

Only what a resource server and a machine client need: RFC 8414 metadata at
`/.well-known/oauth-authorization-server` (and the OpenID path, which many
JWT libraries look up), the public keys at `/jwks`, and the
client-credentials grant at `/token` for the one client made per run. No
authorization endpoint: a conformance run has no user and no browser.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.idp.claims import DEFAULT_LIFETIME, claims, sign
from sandbox.idp.keys import SigningKey

JWKS_PATH = "/jwks"
TOKEN_PATH = "/token"


@dataclass(frozen=True)
class IdpConfig:
    issuer: str
    key: SigningKey
    client_id: str
    client_secret: str
    audience: str
    lifetime: int = DEFAULT_LIFETIME


def metadata(config: IdpConfig) -> dict:
    """RFC 8414 §2 authorization server metadata."""
    return {
        "issuer": config.issuer,
        "token_endpoint": config.issuer + TOKEN_PATH,
        "jwks_uri": config.issuer + JWKS_PATH,
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": [],  # REQUIRED by RFC 8414; there is no authorization endpoint
        "token_endpoint_auth_signing_alg_values_supported": [config.key.alg],
        "access_token_signing_alg_values_supported": [config.key.alg],
    }


def _token_error(error: str, description: str, status: int = 400) -> JSONResponse:
    """RFC 6749 §5.2 error response (never cached)."""
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="sandbox-idp"'
    return JSONResponse({"error": error, "error_description": description}, status, headers=headers)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1: form-urlencoded, then Basic
    return form.get("client_id", ""), form.get("client_secret", "")


def create_app(config: IdpConfig) -> Starlette:
    async def well_known(_: Request) -> JSONResponse:
        return JSONResponse(metadata(config))

    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse({"keys": [config.key.public_jwk()]})

    async def token(request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        client_id, secret = _client_credentials(request, form)
        good_id = hmac.compare_digest(client_id.encode(), config.client_id.encode())
        good_secret = hmac.compare_digest(secret.encode(), config.client_secret.encode())
        if not (good_id and good_secret):
            return _token_error("invalid_client", "unknown client or wrong secret", 401)
        if form.get("grant_type") != "client_credentials":
            return _token_error("unsupported_grant_type", "only client_credentials is supported")
        scopes = form.get("scope", "").split()
        audience = form.get("resource") or config.audience  # RFC 8707 resource indicator
        body = claims(
            issuer=config.issuer,
            audience=audience,
            scopes=scopes,
            subject=client_id,
            client_id=client_id,
            lifetime=config.lifetime,
        )
        reply = {
            "access_token": sign(body, config.key),
            "token_type": "Bearer",
            "expires_in": config.lifetime,
            "scope": " ".join(scopes),
        }
        return JSONResponse(reply, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    routes = [
        Route("/.well-known/oauth-authorization-server", well_known, methods=["GET"]),
        Route("/.well-known/openid-configuration", well_known, methods=["GET"]),
        Route(JWKS_PATH, jwks, methods=["GET"]),
        Route(TOKEN_PATH, token, methods=["POST"]),
    ]
    return Starlette(routes=routes)
