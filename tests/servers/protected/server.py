"""A small protected MCP server (SDK + OAuth resource server) that can lie about one AUTH rule.

    python tests/servers/protected/server.py --port N [--lie NAME]

Honest, it is the reference server's resource-server stack
(examples/enterprise/auth.py) around one tool, `read_ticket`, which needs the
`tickets:read` scope and reads the sandbox's Jira with the server's own
account. Each `--lie` breaks exactly one behaviour, so tests/test_auth.py can
prove the AUTH suite reports it (see LIES for the rule each one breaks).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "examples"))

import anyio  # noqa: E402
import httpx  # noqa: E402
from enterprise.auth import InvalidToken, JwtVerifier, protect  # noqa: E402
from enterprise.http import bind, endpoint_url, serve  # noqa: E402
from mcp.server.auth.middleware.auth_context import get_access_token  # noqa: E402
from mcp.server.auth.provider import AccessToken  # noqa: E402
from mcp.server.auth.settings import AuthSettings  # noqa: E402
from mcp.server.mcpserver import MCPServer  # noqa: E402

SCOPE_READ = "tickets:read"
SCOPE_ADMIN = "tickets:admin"
SCOPES = (SCOPE_READ, SCOPE_ADMIN)

LIES = {
    "accept-any-token": "AUTH-05",  # and AUTH-06: a token that is never checked has no audience either
    "ignore-audience": "AUTH-06",
    "401-without-challenge": "AUTH-02",
    "prm-without-authorization-servers": "AUTH-03",
    "forward-token": "AUTH-10",
    "401-for-scope": "AUTH-07",
    "token-in-query": "AUTH-08",
}


def scopes_for(message: Any) -> list[str]:
    is_call = isinstance(message, dict) and message.get("method") == "tools/call"
    return [SCOPE_READ] if is_call and (message.get("params") or {}).get("name") == "read_ticket" else []


class LyingVerifier(JwtVerifier):
    """`accept-any-token`: anything is a valid token; `ignore-audience`: `aud` is not checked."""

    def __init__(self, lie: str, issuer: str, jwks_url: str, audience: str) -> None:
        super().__init__(issuer, jwks_url, audience)
        self.lie = lie

    async def check(self, token: str) -> AccessToken:
        if self.lie == "accept-any-token":
            return AccessToken(token=token, client_id="anyone", scopes=list(SCOPES), subject="anyone")
        if self.lie == "ignore-audience":
            import jwt

            try:
                claims = jwt.decode(token, options={"verify_signature": False})
            except jwt.PyJWTError as exc:
                raise InvalidToken("not a JWT") from exc
            saved, self.audience = self.audience, claims.get("aud") or self.audience
            try:
                found = await super().check(token) if claims.get("aud") else await self._no_aud(token)
            finally:
                self.audience = saved
            return found
        return await super().check(token)

    async def _no_aud(self, token: str) -> AccessToken:
        import jwt

        key = await anyio.to_thread.run_sync(self._jwks.get_signing_key_from_jwt, token)
        try:
            claims = jwt.decode(
                token, key.key, algorithms=["RS256"], issuer=self.issuer, options={"verify_aud": False}
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        return AccessToken(
            token=token,
            client_id=claims["sub"],
            scopes=claims.get("scope", "").split(),
            subject=claims["sub"],
        )


def lie_wrapper(lie: str, app: Any, metadata_path: str) -> Any:
    """The ASGI-level lies, wrapped around the honest stack."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if lie == "prm-without-authorization-servers" and scope["path"] == metadata_path:
            body = json.dumps({"resource": RESOURCE[0], "scopes_supported": list(SCOPES)}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if lie == "token-in-query":
            query = scope.get("query_string", b"").decode()
            for part in query.split("&"):
                if part.startswith("access_token="):
                    headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
                    headers.append((b"authorization", b"Bearer " + part[13:].encode()))
                    scope = {**scope, "headers": headers}

        async def lying_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers", [])
                if lie == "401-without-challenge" and status == 401:
                    headers = [(k, v) for k, v in headers if k.lower() != b"www-authenticate"]
                if lie == "401-for-scope" and status == 403:
                    status = 401
                message = {**message, "status": status, "headers": headers}
            await send(message)

        await app(scope, receive, lying_send)

    return wrapped


RESOURCE: list[str] = [""]


def build(lie: str | None, sock: socket.socket) -> tuple[MCPServer, Any]:
    issuer, jwks = os.environ["OAUTH_ISSUER"], os.environ["OAUTH_JWKS_URL"]
    resource = endpoint_url("127.0.0.1", sock)
    RESOURCE[0] = resource
    verifier: JwtVerifier = (
        LyingVerifier(lie, issuer, jwks, resource)
        if lie in ("accept-any-token", "ignore-audience")
        else JwtVerifier(issuer, jwks, resource)
    )
    server = MCPServer(
        "protected-test-server",
        token_verifier=verifier,
        auth=AuthSettings(issuer_url=issuer, resource_server_url=resource, validate_token_resource=False),
    )

    @server.tool()
    async def read_ticket(key: str) -> str:
        """Read one Jira ticket's summary (needs tickets:read)."""
        jira = os.environ.get("JIRA_URL", "")
        if lie == "forward-token":
            token = get_access_token()
            auth: Any = None
            headers = {"Authorization": f"Bearer {token.token if token else ''}"}
        else:
            auth, headers = (os.environ.get("JIRA_EMAIL", ""), os.environ.get("JIRA_API_TOKEN", "")), {}
        async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
            reply = await client.get(f"{jira}/rest/api/2/issue/{key[:20]}", auth=auth, headers=headers)
        return f"Jira answered {reply.status_code}"

    def wrap(app: Any) -> Any:
        from urllib.parse import urlparse

        protected = protect(
            app, verifier, resource, issuer, scopes=SCOPES, scopes_for=scopes_for, name="test"
        )
        metadata_path = "/.well-known/oauth-protected-resource" + urlparse(resource).path
        return lie_wrapper(lie, protected, metadata_path) if lie else protected

    return server, wrap


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lie", choices=sorted(LIES))
    args = parser.parse_args()
    sock = bind("127.0.0.1", args.port)
    server, wrap = build(args.lie, sock)
    anyio.run(serve, server, "127.0.0.1", sock, wrap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
