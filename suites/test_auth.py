"""Authorization for protected HTTP servers (AUTH-01..11; spec-rules.md, AUTH).

Runs only when the server is protected: the harness's unauthenticated probe
got 401 (harness/tokens.py `setup`), or the operator said so (`--mcp-auth`).
Every request here is valid in every way but its token, and is sent raw
(`transport.raw`) so the per-frame checks never judge the deliberately bad
ones. Positive control first: the valid token every session carries (T_ok,
minted from the sandbox identity provider or given with `--mcp-header`) must
be served, else every AUTH rule is *not verified* (HARN-03).

Tokens: with the sandbox issuer trusted, every variant is minted
(harness/tokens.py); with an operator token only a non-JWT string and a
tampered copy can be built, and rules needing more are skipped with that reason.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import pytest

from harness.auth.tokens import OTHER_SUBJECT, Minter, prm_locations, tamper
from harness.checks import auth as checks
from harness.checks.http import served
from harness.property.examples import NoExample, valid_arguments
from harness.protocol.session import CLIENT_INFO, Session
from harness.protocol.versions import V1, V2, V3, V4, V5
from harness.transport.base import HttpInfo
from suites._support import harmless_method

FROM_V2 = (V2, V3, V4, V5)
MAX_RESOURCES = 3
NOT_VERIFIED = "NOT VERIFIED"


# -- the run's authorization context --------------------------------------------------------
@dataclass
class AuthContext:
    session: Session
    version: str
    url: str
    token: str
    source: str
    variants: dict[str, str]
    minter: Minter | None  # set when the server trusts the sandbox issuer
    scopes: list[str]
    scope_map: dict[str, list[str]]
    attempts: list[tuple[str, str, HttpInfo | None]] = field(default_factory=list)
    why_limited: str = ""

    @property
    def enforces_scopes(self) -> bool:
        return bool(self.scopes or self.scope_map)

    @property
    def metadata_found(self) -> bool:
        return any(ex is not None and ex.status == 200 for _w, _u, ex in self.attempts)


_CACHE: dict[tuple[int, str], dict[str, Any]] = {}


def bearer(token: str | None) -> dict[str, str | None]:
    return {"Authorization": f"Bearer {token}" if token is not None else None}


def post(
    session: Session, body: dict[str, Any], headers: dict[str, str | None], url: str | None = None
) -> HttpInfo:
    """POST `body` with the headers a correct client sends, edited by `headers` (None drops one)."""
    return session.post_raw(body, headers, url=url)


def opening(session: Session, version: str) -> tuple[dict[str, Any], dict[str, str | None]]:
    """A first request with no session: `initialize` (V1-V4) or `server/discover` (V5)."""
    if session.modern:
        return session.request_message("server/discover", {}), {}
    params = {"protocolVersion": version, "capabilities": {}, "clientInfo": CLIENT_INFO}
    message = {"jsonrpc": "2.0", "id": session.new_id(), "method": "initialize", "params": params}
    return message, {"Mcp-Session-Id": None, "MCP-Protocol-Version": None}


def in_session(session: Session) -> dict[str, Any]:
    """A later request in the open session: tools/list when served, else the harmless one."""
    if "tools" in session.state.capabilities:
        return session.request_message("tools/list", {})
    return session.request_message(harmless_method(session), {})


@pytest.fixture
def auth(verdict, mcp_session) -> AuthContext:
    run = verdict.run
    setup = run.auth
    if setup is None or not setup.protected:
        status = setup.protection.status if setup is not None and setup.protection else "?"
        pytest.skip(
            f"the server is not protected: a request without a token got HTTP {status}, not 401 "
            "(pass --mcp-auth if it is protected)"
        )
    key = (id(run), verdict.version)
    cached = _CACHE.get(key)
    if cached is None:
        cached = _CACHE[key] = _context_parts(run, mcp_session, verdict.version)
    if cached.get("not_verified"):
        pytest.skip(cached["not_verified"])
    return AuthContext(session=mcp_session, version=verdict.version, **cached["fields"])


def _context_parts(run: Any, session: Session, version: str) -> dict[str, Any]:
    setup = run.auth
    url = run.target.url
    if not setup.token:
        return {"not_verified": f"{NOT_VERIFIED}: {setup.reason}"}
    control = post(session, session.request_message(harmless_method(session), {}), {})
    if not served(control):
        return {
            "not_verified": f"{NOT_VERIFIED}: the valid token ({setup.source}) was not served "
            f"(HTTP {control.status}); positive control failed (HARN-03)"
        }
    minter: Minter | None = None
    why = ""
    if setup.minter is not None:
        if setup.source == "sandbox":
            minter = setup.minter
        else:
            probe = post(
                session,
                session.request_message(harmless_method(session), {}),
                bearer(setup.minter.mint(setup.scopes)),
            )
            minter = setup.minter if served(probe) else None
    if minter is not None:
        variants = minter.variants(setup.scopes)
    else:
        variants = {
            "not-a-JWT": "mcp-harness-not-a-jwt-" + secrets.token_hex(8),
            "T_tamper": tamper(setup.token),
        }
        why = (
            "the server does not trust the sandbox issuer (or runs without --sandbox): with the operator's "
            "token only a non-JWT string and a tampered copy can be built"
        )
    attempts: list[tuple[str, str, HttpInfo | None]] = []
    challenge = setup.protection.challenge if setup.protection else None
    for where, location in prm_locations(url, challenge):
        try:
            exchange = session.http.raw(
                "GET", headers={"Accept": "application/json"}, replace_headers=True, url=location
            )
        except Exception:
            exchange = None
        attempts.append((where, location, exchange))
    fields = {
        "url": url,
        "token": setup.token,
        "source": setup.source,
        "variants": variants,
        "minter": minter,
        "scopes": setup.scopes,
        "scope_map": setup.scope_map,
        "attempts": attempts,
        "why_limited": why,
    }
    return {"fields": fields}


def needs_issuer(ctx: AuthContext) -> None:
    if ctx.minter is None:
        pytest.skip(f"needs tokens from a trusted issuer: {ctx.why_limited}")


def may_call(verdict) -> bool:
    """Tools are called with valid arguments only when allowed: --mcp-call-tools, or the sandbox
    (which records and resets every write the server makes)."""
    return bool(verdict.run.call_tools or verdict.run.sandbox is not None)


def calls(ctx: AuthContext, verdict) -> list[tuple[str, dict[str, Any]]]:
    """tools/call, resources/read and prompts/get requests to try (side-effect free unless allowed)."""
    session = ctx.session
    caps = session.state.capabilities
    found: list[tuple[str, dict[str, Any]]] = []
    if "tools" in caps and may_call(verdict):
        tools = (session.request("tools/list", {}).result or {}).get("tools") or []
        for tool in tools:
            try:
                arguments = valid_arguments(tool.get("inputSchema") or {"type": "object"})
            except NoExample:
                continue
            found.append(("tools/call", {"name": tool.get("name"), "arguments": arguments}))
    if "resources" in caps:
        resources = (session.request("resources/list", {}).result or {}).get("resources") or []
        for resource in resources[:MAX_RESOURCES]:
            if isinstance(resource.get("uri"), str):
                found.append(("resources/read", {"uri": resource["uri"]}))
    if "prompts" in caps:
        prompts = (session.request("prompts/list", {}).result or {}).get("prompts") or []
        for prompt in prompts:
            arguments = {a["name"]: "SUP-1" for a in prompt.get("arguments") or [] if a.get("required")}
            found.append(("prompts/get", {"name": prompt.get("name"), "arguments": arguments}))
    return found


def label(method: str, params: dict[str, Any]) -> str:
    return f"{method} {params.get('name') or params.get('uri') or ''}".strip()


def reset_sandbox(verdict) -> None:
    """Raw calls bypass the oracle: put the sandbox back to its seed after a test that may have written."""
    if verdict.run.sandbox is not None:
        verdict.run.sandbox.reset()


# -- AUTH-01 ----------------------------------------------------------------------------------
@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-01")
def test_auth01_no_token_gets_401(auth, verdict):
    session = auth.session
    first, edits = opening(session, verdict.version)
    verdict.add(
        checks.refused_401(
            "AUTH-01",
            post(session, first, {**edits, **bearer(None)}),
            f"{first['method']} without a token",
            verdict.version,
        )
    )
    later = in_session(session)
    verdict.add(
        checks.refused_401(
            "AUTH-01",
            post(session, later, bearer(None)),
            f"{later['method']} in a session without a token",
            verdict.version,
        )
    )
    if not session.modern and verdict.version != V1:
        headers = {"Accept": "text/event-stream"}
        if session.http.session_id:
            headers["Mcp-Session-Id"] = session.http.session_id
        stream = session.http.raw("GET", headers=headers, replace_headers=True, stream_seconds=1.0)
        verdict.add(
            checks.refused_401(
                "AUTH-01", stream, "GET stream without a token", verdict.version, allow_405=True
            )
        )


# -- AUTH-02 ----------------------------------------------------------------------------------
@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-02")
def test_auth02_challenge(auth, verdict):
    first, edits = opening(auth.session, verdict.version)
    refused = post(auth.session, first, {**edits, **bearer(None)})
    if refused.status != 401:
        pytest.skip(f"no 401 to judge (HTTP {refused.status}; AUTH-01 reports it)")
    verdict.add(
        checks.challenge_401(
            refused, verdict.version, metadata_found=auth.metadata_found, uses_scopes=auth.enforces_scopes
        )
    )


# -- AUTH-03 ----------------------------------------------------------------------------------
@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-03")
@pytest.mark.versions(V3, V4, V5)
def test_auth03_protected_resource_metadata(auth, verdict):
    issuer = auth.minter.issuer if auth.minter is not None else None
    verdict.add(
        checks.prm_document(
            auth.attempts,
            auth.url,
            verdict.version,
            trusted_issuer=issuer,
            enforces_scopes=auth.enforces_scopes,
        )
    )


# -- AUTH-04 ----------------------------------------------------------------------------------
@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-04")
@pytest.mark.versions(V2)
def test_auth04_v2_authorization_server_at_origin(auth, verdict):
    parsed = urlparse(auth.url)
    origin = f"{parsed.scheme}://{parsed.netloc}"
    raw = auth.session.http.raw
    metadata = raw(
        "GET",
        headers={"Accept": "application/json"},
        replace_headers=True,
        url=origin + "/.well-known/oauth-authorization-server",
    )
    token = None
    if metadata.status != 200:
        token = raw(
            "POST",
            body=b"grant_type=client_credentials",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            replace_headers=True,
            url=origin + "/token",
        )
    verdict.add(checks.v2_authorization_server(metadata, token))


# -- AUTH-05 / AUTH-06 ------------------------------------------------------------------------
@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-05")
def test_auth05_invalid_tokens_get_401(auth, verdict):
    session = auth.session
    for name in ("not-a-JWT", "T_exp", "T_key", "T_none", "T_tamper"):
        if name in auth.variants:
            first, edits = opening(session, verdict.version)
            exchange = post(session, first, {**edits, **bearer(auth.variants[name])})
            verdict.add(checks.bad_token_refused("AUTH-05", name, exchange, verdict.version))
    if "T_iss" in auth.variants:
        first, edits = opening(session, verdict.version)
        exchange = post(session, first, {**edits, **bearer(auth.variants["T_iss"])})
        verdict.add(checks.bad_token_refused("AUTH-05", "T_iss", exchange, verdict.version, derived=True))
    verdict.add(checks.variants_not_tried(auth.why_limited))


@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-06")
@pytest.mark.versions(*FROM_V2)
def test_auth06_other_audience_gets_401(auth, verdict):
    needs_issuer(auth)
    for name in ("T_aud", "T_noaud"):
        first, edits = opening(auth.session, verdict.version)
        exchange = post(auth.session, first, {**edits, **bearer(auth.variants[name])})
        verdict.add(checks.bad_token_refused("AUTH-06", name, exchange, verdict.version))


# -- AUTH-07 ----------------------------------------------------------------------------------
@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-07")
def test_auth07_insufficient_scope_gets_403(auth, verdict):
    needs_issuer(auth)
    if not auth.enforces_scopes:
        pytest.skip("the server does not enforce scopes (none listed, none challenged, no --auth-scope-map)")
    assert auth.minter is not None
    session = auth.session
    narrow_sets: list[list[str]] = [[]] + [[scope] for scope in auth.scopes]
    targets = [("tools/list", {})] if "tools" in session.state.capabilities else []
    try:
        for method, params in targets + calls(auth, verdict):
            what = label(method, params)
            if not served(post(session, session.request_message(method, params), {})):
                continue  # only calls that succeed with T_ok are judged
            for narrow in narrow_sets:
                token = auth.minter.mint(narrow)
                exchange = post(session, session.request_message(method, params), bearer(token))
                found, challenge = checks.scope_refusal(
                    exchange, f"{what} with scopes {narrow}", verdict.version
                )
                verdict.add(found)
                if challenge is None or verdict.version not in (V4, V5):
                    continue
                wider = sorted(set(narrow) | set(challenge.scopes))
                retry = post(
                    session, session.request_message(method, params), bearer(auth.minter.mint(wider))
                )
                verdict.add(
                    checks.step_up(retry, f"{what} with scopes {wider}", second=verdict.version == V5)
                )
    finally:
        reset_sandbox(verdict)


# -- AUTH-08 ----------------------------------------------------------------------------------
@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-08")
def test_auth08_token_in_query_is_ignored(auth, verdict):
    first, edits = opening(auth.session, verdict.version)
    separator = "&" if "?" in auth.url else "?"
    url = f"{auth.url}{separator}access_token={auth.token}"
    exchange = post(auth.session, first, {**edits, **bearer(None)}, url=url)
    verdict.add(
        checks.refused_401("AUTH-08", exchange, "a token in ?access_token= and no header", verdict.version)
    )


# -- AUTH-09 ----------------------------------------------------------------------------------
@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-09")
@pytest.mark.versions(V2, V3, V4)
def test_auth09_session_is_not_a_credential(auth, verdict, mcp_connect):
    session = mcp_connect()
    if not getattr(session.transport, "session_id", None):
        pytest.skip("the server assigns no Mcp-Session-Id (sessions are optional)")
    later = in_session(session)
    verdict.add(
        checks.refused_401(
            "AUTH-09",
            post(session, later, bearer(None)),
            "in-session request without a token",
            verdict.version,
        )
    )
    if "T_exp" in auth.variants:
        exchange = post(session, in_session(session), bearer(auth.variants["T_exp"]))
        verdict.add(checks.refused_401("AUTH-09", exchange, "in-session request with T_exp", verdict.version))
    if auth.minter is not None:
        other = auth.minter.mint(auth.scopes, subject=OTHER_SUBJECT)
        verdict.add(checks.other_subject(post(session, in_session(session), bearer(other))))


# -- AUTH-10 ----------------------------------------------------------------------------------
@pytest.mark.transport("http")
@pytest.mark.rule("AUTH-10")
@pytest.mark.requires_sandbox
@pytest.mark.versions(*FROM_V2)
def test_auth10_no_token_passthrough(auth, verdict):
    try:
        jira = verdict.run.sandbox.backend("jira")
    except KeyError:
        pytest.skip(f"{NOT_VERIFIED}: the sandbox runs without its Jira service (no recording upstream)")
    token = auth.minter.mint(auth.scopes) if auth.minter is not None else auth.token  # a fresh, unique jti
    seen = jira.requests_seen()
    since = seen[-1]["seq"] if seen else 0
    session = auth.session
    try:
        for method, params in calls(auth, verdict):
            exchange = post(session, session.request_message(method, params), bearer(token))
            verdict.add(checks.token_in_answer(exchange, token, label(method, params)))
        upstream = jira.requests_seen(since)
    finally:
        reset_sandbox(verdict)
    if not upstream:
        pytest.skip(
            f"{NOT_VERIFIED}: no upstream traffic (no call reached the sandbox's Jira; "
            f"calls {'allowed' if may_call(verdict) else 'need --mcp-call-tools or --sandbox'})"
        )
    verdict.add(checks.no_passthrough(upstream, token, verdict.version))


# -- AUTH-11 (stdio, INFO) --------------------------------------------------------------------
@pytest.mark.transport("stdio")
@pytest.mark.rule("AUTH-11")
@pytest.mark.versions(*FROM_V2)
def test_auth11_stdio_takes_credentials_from_the_environment(mcp_session, verdict):
    verdict.add(checks.stdio_credentials(verdict.run.sandbox is not None))
