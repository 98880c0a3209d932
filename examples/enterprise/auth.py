"""Authorization for Streamable HTTP: an OAuth 2.1 resource server (docs/auth.md).

With OAUTH_ISSUER and OAUTH_JWKS_URL set (the sandbox's identity provider, or
any issuer), the server accepts only RFC 9068 JWT access tokens: signature
checked against the issuer's JWKS, `typ: at+jwt`, the issuer, the audience
(this server's own resource URL, RFC 8707), expiry. Scopes map to tools:
reads need `customers:read`, opening a ticket needs `tickets:write`, free
SQL needs the staff scope `customers:all` too. A token with an `email` claim is
a user's: it sees that customer's records only (enterprise/tenancy.py), and
email and phone numbers stay masked without `data:pii:read`.

The SDK's auth stack (bearer backend, session bound to the token's principal,
`get_access_token()`) does the verification for the app. `ResourceGate` sits
in front of it only because the SDK cannot say two things the spec asks for:
a 401 challenge that names the scopes (and leaves `error` out when no token
was sent, RFC 6750 §3.1), and a 403 `insufficient_scope` per tool, which
needs the JSON-RPC body. It never reads a token from the query string.

Jira is called with the server's own service account (enterprise/jira.py);
the client's token is never forwarded anywhere.

MCP_API_TOKENS (static `<client>=<token>:<scopes>;...` entries) is kept as a
development fallback and wins when set: no metadata, no 403 gate.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.server.auth.provider import AccessToken
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENV_VAR = "MCP_API_TOKENS"

SCOPE_READ = "customers:read"
SCOPE_WRITE = "tickets:write"
SCOPE_ALL = "customers:all"  # staff: every customer's records (a user token sees its own customer only)
SCOPE_PII = "data:pii:read"  # unmasked email and phone numbers
KNOWN_SCOPES = (SCOPE_READ, SCOPE_WRITE, SCOPE_ALL, SCOPE_PII)
ACCEPTED_TYPES = ("at+jwt", "application/at+jwt")  # RFC 9068 §4
ALGORITHMS = ["RS256", "ES256"]  # never "none", never HS* (a public key is not a secret)
LEEWAY_S = 30
MAX_BODY = 4 << 20


# ------------------------------------------------------------------ JWT validation


class InvalidToken(Exception):
    """Why a token was refused (goes to `error_description`, never echoes the token)."""


class JwtVerifier:
    """The SDK's `TokenVerifier` over RFC 9068 JWTs from one issuer, for one audience."""

    def __init__(self, issuer: str, jwks_url: str, audience: str) -> None:
        self.issuer = issuer
        self.audience = audience
        import jwt  # HTTP only: a stdio process never verifies a token, and starts ~30 ms sooner

        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)

    async def check(self, token: str) -> AccessToken:
        """The verified token, or `InvalidToken` saying what was wrong."""
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token is not a JWT") from exc
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken(f"unsupported alg {header.get('alg')!r}")
        if str(header.get("typ", "")).lower() not in ACCEPTED_TYPES:
            raise InvalidToken("typ is not at+jwt (RFC 9068)")
        try:
            # PyJWKClient fetches with urllib (blocking): keep it off the event loop.
            key = await anyio.to_thread.run_sync(self._jwks.get_signing_key_from_jwt, token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the token has expired") from exc
        except (jwt.InvalidAudienceError, jwt.MissingRequiredClaimError) as exc:
            raise InvalidToken(f"the token is not for this resource: {exc}") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token was refused: {type(exc).__name__}") from exc
        scope = claims.get("scope", "")
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims["sub"]),
            scopes=scope.split() if isinstance(scope, str) else [],
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=str(claims["sub"]),
            # `email` names the user a token was issued to: their customer record is their tenant.
            claims={"iss": claims["iss"], "jti": claims.get("jti"), "email": claims.get("email")},
        )

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            return await self.check(token)
        except InvalidToken:
            return None


@dataclass(frozen=True)
class OAuthConfig:
    issuer: str
    jwks_url: str


def oauth_from_env(env: Mapping[str, str]) -> OAuthConfig | None:
    issuer, jwks = env.get("OAUTH_ISSUER", "").strip(), env.get("OAUTH_JWKS_URL", "").strip()
    return OAuthConfig(issuer, jwks) if issuer and jwks else None


# ------------------------------------------------------------------ scopes per request


def needed_scopes(message: Any) -> list[str]:
    """The scopes a JSON-RPC request needs; listing and discovery need none (any valid token)."""
    if not isinstance(message, dict):
        return []
    method = message.get("method")
    params = message.get("params") if isinstance(message.get("params"), dict) else {}
    if method == "tools/call":
        name = params.get("name")
        if name in ("create_support_ticket", "set_ticket_priority"):
            return [SCOPE_WRITE]
        if name == "query_database":  # free SQL reaches every customer: staff only
            return [SCOPE_READ, SCOPE_ALL]
        if name in (
            "get_customer",
            "list_customer_orders",
            "search_knowledge_base",
            "wait_for_queue_activity",
        ):
            return [SCOPE_READ]
        return []  # unknown tools get the SDK's own error
    if method in ("resources/read", "prompts/get"):
        return [SCOPE_READ]
    return []


# ------------------------------------------------------------------ the gate


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ResourceGate:
    """ASGI middleware in front of the MCP endpoint: 401/403 challenges as the AUTH rules ask."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: JwtVerifier,
        *,
        endpoint_path: str,
        metadata_url: str,
        scopes_for: Callable[[Any], list[str]] = needed_scopes,
        scopes: tuple[str, ...] = KNOWN_SCOPES,
    ) -> None:
        self.app = app
        self.scopes = scopes
        self.verifier = verifier
        self.endpoint_path = endpoint_path
        self.metadata_url = metadata_url
        self.scopes_for = scopes_for

    def challenge(self, error: str | None, description: str | None, scopes: list[str]) -> str:
        parts = [f"resource_metadata={_quote(self.metadata_url)}"]
        if scopes:
            parts.append(f"scope={_quote(' '.join(scopes))}")
        if error:  # RFC 6750 §3.1: no error code when the request carried no credentials
            parts.insert(0, f"error={_quote(error)}")
            if description:
                parts.insert(1, f"error_description={_quote(description)}")
        return "Bearer " + ", ".join(parts)

    async def refuse(self, send: Send, status: int, challenge: str, error: str, description: str) -> None:
        body = json.dumps({"error": error, "error_description": description}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", challenge.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.endpoint_path:
            await self.app(scope, receive, send)
            return
        header = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            challenge = self.challenge(None, None, list(self.scopes))
            await self.refuse(send, 401, challenge, "invalid_request", "a bearer token is required")
            return
        try:
            token = await self.verifier.check(header[7:].strip())
        except InvalidToken as exc:
            challenge = self.challenge("invalid_token", str(exc), list(self.scopes))
            await self.refuse(send, 401, challenge, "invalid_token", str(exc))
            return
        if scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        try:
            message = json.loads(body) if body and not more else None
        except ValueError:
            message = None
        needed = self.scopes_for(message)
        if any(s not in token.scopes for s in needed):
            description = f"this call needs the scope(s): {' '.join(needed)}"
            challenge = self.challenge("insufficient_scope", description, needed)
            await self.refuse(send, 403, challenge, "insufficient_scope", description)
            return
        await self.app(scope, _replay(body, more, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body up to MAX_BODY; `more` tells whether it was cut (then not parsed)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > MAX_BODY:
            return b"".join(chunks), True


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """A `receive` that hands the buffered body back first, then the rest of the stream."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay


def authorization_server_metadata_route(issuer: str) -> Any:
    """GET /.well-known/oauth-authorization-server at this origin: the issuer's own document.

    2025-03-26 clients look for the authorization server at the MCP server's
    origin (AUTH-04); later versions find it through the Protected Resource
    Metadata. A copy is served, fetched once from the issuer.
    """
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    cached: dict[str, Any] = {}

    async def handler(_: Request) -> Response:
        import httpx

        if "doc" not in cached:
            try:
                async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
                    reply = await client.get(issuer.rstrip("/") + "/.well-known/oauth-authorization-server")
                cached["doc"] = reply.json() if reply.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                return JSONResponse({"error": "the authorization server is unreachable"}, 502)
        if not isinstance(cached.get("doc"), dict):
            return JSONResponse({"error": "the authorization server has no metadata"}, 404)
        return JSONResponse(cached["doc"])

    return Route("/.well-known/oauth-authorization-server", handler, methods=["GET"])


# ------------------------------------------------------------------ static tokens (development)


@dataclass(frozen=True)
class TokenEntry:
    client: str
    token: str
    scopes: tuple[str, ...]


def parse_tokens(text: str) -> list[TokenEntry]:
    """Parse MCP_API_TOKENS; raises ValueError with the offending entry's position."""
    entries: list[TokenEntry] = []
    for position, raw in enumerate(text.split(";"), start=1):
        raw = raw.strip()
        if not raw:
            continue
        client, sep, rest = raw.partition("=")
        token, _, scopes = rest.partition(":")
        if not sep or not client.strip() or not token.strip():
            raise ValueError(f"{ENV_VAR} entry {position} is not <client>=<token>:<scopes>")
        names = tuple(s.strip() for s in scopes.split(",") if s.strip())
        unknown = [s for s in names if s not in KNOWN_SCOPES]
        if unknown:
            raise ValueError(
                f"{ENV_VAR} entry {position} has unknown scope(s) {unknown}; known: {KNOWN_SCOPES}"
            )
        entries.append(TokenEntry(client.strip(), token.strip(), names))
    return entries


class StaticTokenVerifier:
    """The SDK's `TokenVerifier` over a fixed list; constant-time comparisons."""

    def __init__(self, entries: list[TokenEntry]) -> None:
        if not entries:
            raise ValueError(f"{ENV_VAR} is set but lists no token")
        self._entries = entries

    async def verify_token(self, token: str) -> AccessToken | None:
        found: TokenEntry | None = None
        for entry in self._entries:  # no early exit: timing must not tell which entry matched
            if hmac.compare_digest(entry.token.encode(), token.encode()):
                found = entry
        if found is None:
            return None
        return AccessToken(token=token, client_id=found.client, scopes=list(found.scopes))


def verifier_from_env(env: Mapping[str, str]) -> StaticTokenVerifier | None:
    """The static verifier when MCP_API_TOKENS is set, else None."""
    text = env.get(ENV_VAR, "")
    return StaticTokenVerifier(parse_tokens(text)) if text.strip() else None


# ------------------------------------------------------------------ wiring


def protect(
    app: Any,
    verifier: JwtVerifier,
    resource_url: str,
    issuer: str,
    *,
    scopes: tuple[str, ...] = KNOWN_SCOPES,
    scopes_for: Callable[[Any], list[str]] = needed_scopes,
    name: str = "Enterprise customer support",
) -> ASGIApp:
    """The Starlette app with its Protected Resource Metadata (scopes listed) and the gate in front.

    The SDK registers a PRM route itself, but fills `scopes_supported` only
    from `required_scopes` (which it would then demand on every request) and
    normalises the issuer with a trailing slash (RFC 8414 compares issuers
    exactly). So this document (RFC 9728 §2) is served first, at the same path.
    """
    from urllib.parse import urlparse

    from mcp.server.auth.routes import build_resource_metadata_url
    from pydantic import AnyHttpUrl
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    metadata_url = str(build_resource_metadata_url(AnyHttpUrl(resource_url)))
    document = {
        "resource": resource_url,
        "authorization_servers": [issuer],
        "scopes_supported": list(scopes),
        "bearer_methods_supported": ["header"],
        "resource_name": name,
    }

    async def prm(_: Request) -> JSONResponse:
        return JSONResponse(document)

    prm_route = Route(urlparse(metadata_url).path, prm, methods=["GET"])
    app.router.routes[0:0] = [prm_route, authorization_server_metadata_route(issuer)]
    return ResourceGate(
        app,
        verifier,
        endpoint_path=urlparse(resource_url).path.rstrip("/"),
        metadata_url=metadata_url,
        scopes_for=scopes_for,
        scopes=scopes,
    )
