"""Test access tokens: T_ok and its one-defect variants (spec-rules.md, AUTH "Tokens").

Two sources of a valid token:
- the sandbox identity provider: the harness holds its signing key and mints
  every variant in-process (`Minter.from_idp`);
- the operator (`--mcp-header "Authorization: Bearer ..."`), for a server
  that trusts another issuer: then only a non-JWT string and a tampered copy
  can be built, and rules needing the other variants are skipped.

`discover` makes the few side-effect-free HTTP exchanges needed before a run
(an unauthenticated POST, the Protected Resource Metadata) to learn whether
the server is protected and which scopes T_ok should carry.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

# httpx, PyJWT and the IdP's signing code are imported where they are used: the checks
# import this module for its parsers, and collecting the suites must not pay ~0.4 s for them.
if TYPE_CHECKING:
    from sandbox.idp.keys import SigningKey

HARNESS_SUBJECT = "mcp-harness-user"
OTHER_SUBJECT = "mcp-harness-other-user"
OTHER_ISSUER = "http://issuer.invalid"
OTHER_AUDIENCE = "http://resource.invalid/mcp"
NOT_A_JWT = "mcp-harness-not-a-jwt"
EXPIRED_AGO = 3600  # an hour: past any clock leeway
VARIANTS = ("T_exp", "T_key", "T_none", "T_tamper", "T_iss", "T_aud", "T_noaud")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signature_part(token: str) -> str:
    """The JWS signature segment (what a leak check looks for besides the whole token)."""
    parts = token.split(".")
    return parts[2] if len(parts) == 3 and len(parts[2]) >= 16 else ""


def tamper(token: str) -> str:
    """The same token with its claims edited after signing (signature kept).

    A JWT gets `sub` changed and its scope widened; anything else gets one
    character flipped in the middle, so it still looks like the original.
    """
    parts = token.split(".")
    if len(parts) == 3:
        try:
            body = json.loads(_unb64(parts[1]))
        except (ValueError, UnicodeDecodeError):
            body = None
        if isinstance(body, dict):
            body["sub"] = "mcp-harness-tampered"
            body["scope"] = (str(body.get("scope", "")) + " admin").strip()
            parts[1] = _b64(json.dumps(body, separators=(",", ":")).encode())
            return ".".join(parts)
    middle = len(token) // 2
    flipped = "A" if token[middle : middle + 1] != "A" else "B"
    return token[:middle] + flipped + token[middle + 1 :]


def unsigned(body: dict[str, Any], kid: str) -> str:
    """`alg: none` with an empty signature (pyjwt refuses to make one, on purpose)."""
    header = {"alg": "none", "typ": "at+jwt", "kid": kid}
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(body).encode()), ""])


@dataclass
class Minter:
    """Mints tokens as the sandbox issuer, and the variants a correct server must refuse."""

    issuer: str
    key: SigningKey
    audience: str
    client_id: str = "mcp-harness"
    _untrusted: SigningKey | None = None

    @classmethod
    def from_idp(cls, idp: Any, audience: str) -> Minter:
        return cls(
            issuer=idp.issuer, key=idp.key, audience=audience, client_id=idp.client_id or "mcp-harness"
        )

    def body(
        self,
        scopes: list[str] | tuple[str, ...],
        *,
        audience: str | bool | None = True,
        subject: str = HARNESS_SUBJECT,
        issuer: str | None = None,
        lifetime: int = 600,
        now: int | None = None,
    ) -> dict[str, Any]:
        """Claims like T_ok's; `audience=None` leaves `aud` out, True means this server."""
        from sandbox.idp.claims import claims

        aud = self.audience if audience is True else (None if audience in (None, False) else str(audience))
        return claims(
            issuer=issuer or self.issuer,
            audience=aud,
            scopes=list(scopes),
            subject=subject,
            client_id=self.client_id,
            lifetime=lifetime,
            now=now,
        )

    def mint(self, scopes: list[str] | tuple[str, ...], **kwargs: Any) -> str:
        """A valid token (unless the keyword arguments say otherwise)."""
        from sandbox.idp.claims import sign

        return sign(self.body(scopes, **kwargs), self.key)

    def untrusted_key(self) -> SigningKey:
        """A key made here and never published, used under the trusted `kid` (T_key)."""
        if self._untrusted is None:
            from sandbox.idp.keys import SigningKey

            self._untrusted = SigningKey.generate(kid=self.key.kid)
        return self._untrusted

    def variants(self, scopes: list[str] | tuple[str, ...]) -> dict[str, str]:
        """T_ok and each variant that differs from it in one way only (spec-rules.md, AUTH)."""
        from sandbox.idp.claims import sign

        ok = self.mint(scopes)
        return {
            "T_ok": ok,
            "T_exp": self.mint(scopes, now=int(time.time()) - EXPIRED_AGO - 600),
            "T_key": sign(self.body(scopes), self.untrusted_key(), kid=self.key.kid),
            "T_none": unsigned(self.body(scopes), self.key.kid),
            "T_tamper": tamper(ok),
            "T_iss": sign(self.body(scopes, issuer=OTHER_ISSUER), self.key),
            "T_aud": self.mint(scopes, audience=OTHER_AUDIENCE),
            "T_noaud": self.mint(scopes, audience=None),
            "not-a-JWT": NOT_A_JWT + "-" + secrets.token_hex(8),
        }


# ---------------------------------------------------------------------------- run set-up


@dataclass
class Challenge:
    """A parsed `WWW-Authenticate` header: scheme and auth-params (RFC 9110 §11.6.1)."""

    scheme: str = ""
    params: dict[str, str] = field(default_factory=dict)
    raw: str = ""

    @property
    def scopes(self) -> list[str]:
        return self.params.get("scope", "").split()


def parse_challenge(header: str | None) -> Challenge | None:
    """The first challenge of a `WWW-Authenticate` value, or None when there is none."""
    if not header or not header.strip():
        return None
    text = header.strip()
    scheme, _, rest = text.partition(" ")
    params: dict[str, str] = {}
    i = 0
    while i < len(rest):
        while i < len(rest) and rest[i] in " ,":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        name = rest[i:eq].strip().lower()
        i = eq + 1
        if i < len(rest) and rest[i] == '"':
            i += 1
            value = []
            while i < len(rest) and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < len(rest):
                    i += 1
                value.append(rest[i])
                i += 1
            i += 1
            params[name] = "".join(value)
        else:
            end = rest.find(",", i)
            end = len(rest) if end < 0 else end
            params[name] = rest[i:end].strip()
            i = end
    return Challenge(scheme=scheme, params=params, raw=header)


def prm_locations(url: str, challenge: Challenge | None) -> list[tuple[str, str]]:
    """Where the Protected Resource Metadata may be, in the order AUTH-03 tries them."""
    parsed = urlparse(url)
    origin = f"{parsed.scheme}://{parsed.netloc}"
    path = parsed.path.rstrip("/")
    found: list[tuple[str, str]] = []
    if challenge is not None and challenge.params.get("resource_metadata"):
        found.append(("header", challenge.params["resource_metadata"]))
    if path:
        found.append(("path", f"{origin}/.well-known/oauth-protected-resource{path}"))
    found.append(("root", f"{origin}/.well-known/oauth-protected-resource"))
    return found


@dataclass
class Protection:
    """What the harness learnt about the server's protection before the run."""

    protected: bool
    status: int = 0
    challenge: Challenge | None = None
    metadata: dict[str, Any] | None = None
    metadata_url: str = ""
    scopes: list[str] = field(default_factory=list)
    error: str = ""


PROBE_BODY = {"jsonrpc": "2.0", "id": "mcp-harness-auth-probe", "method": "ping"}


def discover(url: str, timeout: float = 5.0) -> Protection:
    """POST a ping with no token (side-effect free), then read the PRM if the server asks for a token."""
    import httpx

    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    try:
        with httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False) as client:
            reply = client.post(url, json=PROBE_BODY, headers=headers)
            challenge = parse_challenge(reply.headers.get("www-authenticate"))
            found = Protection(
                protected=reply.status_code == 401, status=reply.status_code, challenge=challenge
            )
            if not found.protected:
                return found
            for _where, location in prm_locations(url, challenge):
                try:
                    doc = client.get(location)
                    data = doc.json() if doc.status_code == 200 else None
                except (httpx.HTTPError, ValueError):
                    continue
                if isinstance(data, dict):
                    found.metadata, found.metadata_url = data, location
                    break
    except httpx.HTTPError as exc:
        return Protection(protected=False, error=str(exc))
    scopes = list(challenge.scopes if challenge else [])
    listed = (found.metadata or {}).get("scopes_supported")
    if isinstance(listed, list):
        scopes += [s for s in listed if isinstance(s, str)]
    found.scopes = list(dict.fromkeys(scopes))
    return found


def parse_scope_map(text: str | None) -> dict[str, list[str]]:
    """`--auth-scope-map "tool=scope1,scope2;other=scope3"` -> {name: [scopes]}."""
    mapping: dict[str, list[str]] = {}
    for entry in (text or "").split(";"):
        name, sep, scopes = entry.partition("=")
        if sep and name.strip():
            mapping[name.strip()] = [s.strip() for s in scopes.replace(" ", ",").split(",") if s.strip()]
    return mapping


def bearer(headers: dict[str, str]) -> str | None:
    """The bearer token in a header dict (case-insensitive name), if any."""
    for name, value in headers.items():
        if name.lower() == "authorization" and value.lower().startswith("bearer "):
            return value[7:].strip()
    return None


def decode_unverified(token: str) -> dict[str, Any] | None:
    """A JWT's claims without checking anything (to read `scope`/`sub` of an operator token)."""
    import jwt

    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None


@dataclass
class AuthRun:
    """The run's authorization set-up, made once before probing (see `setup`)."""

    forced: bool = False
    protection: Protection | None = None
    minter: Minter | None = None
    scopes: list[str] = field(default_factory=list)
    scope_map: dict[str, list[str]] = field(default_factory=dict)
    source: str = ""  # "sandbox" (minted here) or "operator" (--mcp-header); "" when none
    token: str = ""  # the T_ok every request of every family carries
    reason: str = ""

    @property
    def protected(self) -> bool:
        return self.forced or bool(self.protection and self.protection.protected)


def _idp(sandbox: Any) -> Any:
    if sandbox is None:
        return None
    try:
        return sandbox.backend("idp")
    except KeyError:
        return None


def setup(
    target: Any,
    sandbox: Any,
    *,
    forced: bool = False,
    scope_map: str | None = None,
    user_env: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> AuthRun:
    """Learn whether an HTTP server is protected and give every session a valid token.

    With the sandbox, the server is told its audience (OAUTH_AUDIENCE = its
    URL) before it is launched; when it turns out protected and the operator
    gave no `Authorization` header, T_ok is minted with every scope the server
    names and becomes a default header of every HTTP session (HARN-02).
    """
    from harness.transport.base import TransportError

    found = AuthRun(forced=forced, scope_map=parse_scope_map(scope_map))
    if target is None or target.transport_kind != "http":
        return found
    target.resolve_port()
    idp = _idp(sandbox)
    if idp is not None and "OAUTH_AUDIENCE" not in (user_env or {}):
        idp.audience = target.url
        target.env["OAUTH_AUDIENCE"] = target.url
    try:
        target.prepare()
    except TransportError as exc:
        found.reason = str(exc)
        return found  # the probe reports the server as not verified
    found.protection = discover(target.url, timeout)
    mapped = [s for scopes in found.scope_map.values() for s in scopes]
    found.scopes = list(dict.fromkeys(found.protection.scopes + mapped))
    operator = bearer(target.headers)
    if operator:
        found.source, found.token = "operator", operator
    if idp is not None and getattr(idp, "key", None) is not None:
        found.minter = Minter.from_idp(idp, target.url)
        if not operator and found.protected:
            found.token, found.source = found.minter.mint(found.scopes), "sandbox"
            target.headers["Authorization"] = f"Bearer {found.token}"
    if not found.token and found.protected:
        found.reason = (
            "no valid token: run with --sandbox (a server that trusts the sandbox issuer) or give "
            "--mcp-header 'Authorization: Bearer ...'"
        )
    return found
