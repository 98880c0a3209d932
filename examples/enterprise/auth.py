"""Bearer-token authentication for Streamable HTTP (static tokens, for now).

Kept alone on purpose: a later issue swaps `StaticTokenVerifier` for JWT
validation against the sandbox's OAuth issuer (OAUTH_ISSUER / OAUTH_JWKS_URL /
OAUTH_AUDIENCE). Anything with the SDK's `TokenVerifier` shape plugs in the same
way; the rest of the server only looks at `AccessToken.client_id` and `.scopes`.

MCP_API_TOKENS lists the accepted tokens, `;`-separated entries of

    <client>=<token>:<scope>[,<scope>...]

for example `alice=s3cret:customers:read,tickets:write;bob=t0ken:customers:read`.
Tokens cannot contain `:`, `;` or `,` (use `secrets.token_urlsafe`). A token
with no scopes after the colon gets none, so it can do nothing but list.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from mcp.server.auth.provider import AccessToken

ENV_VAR = "MCP_API_TOKENS"

SCOPE_READ = "customers:read"
SCOPE_WRITE = "tickets:write"
KNOWN_SCOPES = (SCOPE_READ, SCOPE_WRITE)


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
    """The verifier when MCP_API_TOKENS is set, else None (HTTP without auth: loopback dev only)."""
    text = env.get(ENV_VAR, "")
    return StaticTokenVerifier(parse_tokens(text)) if text.strip() else None
