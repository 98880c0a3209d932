"""Authorization checks (AUTH-01..11): pure functions over HTTP exchanges.

The suite (suites/test_auth.py) makes the exchanges, each valid in every way
but its token; these functions judge them. Grading follows spec-rules.md,
AUTH: a MUST at the negotiated version fails, SHOULD and derived outcomes
warn, V1 (no authorization spec) is INFO throughout. `rules.severity_for`
turns a rule's level at a version into the verdict, so the per-version table
lives in one place (harness/rules.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from harness import rules
from harness.auth.tokens import Challenge, parse_challenge
from harness.checks.http import served, summary
from harness.checks.registry import check
from harness.findings import Finding, fail, graded, info, warn
from harness.protocol.versions import V3, V4, V5, version_index
from harness.transport.base import HttpInfo


def _sev(rule: str, version: str) -> Any:
    """The verdict a broken MUST of `rule` gets at `version` (fail, warn on V2 derived, info on V1)."""
    return rules.severity_for(rule, version, "http")


def _at_least(version: str, floor: str) -> bool:
    return version_index(version) >= version_index(floor)


def challenge_of(exchange: HttpInfo) -> Challenge | None:
    return parse_challenge(exchange.headers.get("www-authenticate"))


def is_bearer(challenge: Challenge | None) -> bool:
    return challenge is not None and challenge.scheme.lower() == "bearer"


# ---------------------------------------------------------------- AUTH-01 / AUTH-08 / AUTH-09


def refused_401(
    rule: str, exchange: HttpInfo, what: str, version: str, *, allow_405: bool = False
) -> list[Finding]:
    """A request the server must refuse with 401 (no token, token in the query, session without token)."""
    if exchange.status == 401 or (allow_405 and exchange.status == 405):
        return []
    how = "served" if served(exchange) or 200 <= exchange.status < 300 else f"answered HTTP {exchange.status}"
    return [graded(rule, _sev(rule, version), f"{what}: {how}, expected 401", summary(exchange))]


# ---------------------------------------------------------------- AUTH-02


def challenge_401(
    exchange: HttpInfo, version: str, *, metadata_found: bool, uses_scopes: bool
) -> list[Finding]:
    """The 401 to a request without credentials: Bearer, resource_metadata, scope; no error code."""
    if exchange.status != 401:
        return []  # AUTH-01 judges the status
    found: list[Finding] = []
    challenge = challenge_of(exchange)
    evidence = {"www-authenticate": exchange.headers.get("www-authenticate"), **summary(exchange)}
    if not is_bearer(challenge):
        what = "no WWW-Authenticate header" if challenge is None else f"scheme {challenge.scheme!r}"
        found.append(
            graded("AUTH-02", _sev("AUTH-02", version), f"401 without a Bearer challenge ({what})", evidence)
        )
        return found
    assert challenge is not None
    if "resource_metadata" not in challenge.params:
        if version == V3:
            found.append(
                graded("AUTH-02", _sev("AUTH-02", version), "no resource_metadata in the challenge", evidence)
            )
        elif _at_least(version, V4) and not metadata_found:
            found.append(
                graded(
                    "AUTH-02",
                    _sev("AUTH-02", version),
                    "no resource_metadata in the challenge and no Protected Resource Metadata at the "
                    "well-known locations",
                    evidence,
                )
            )
        else:
            found.append(
                info("AUTH-02", "no resource_metadata parameter (the PRM is found at a well-known URL)")
            )
    if _at_least(version, V4) and uses_scopes and "scope" not in challenge.params:
        found.append(
            warn("AUTH-02", "the challenge names no scope although the server uses scopes", evidence)
        )
    if _at_least(version, V5) and "offline_access" in challenge.scopes:
        found.append(warn("AUTH-03", "the challenge scope lists offline_access", evidence))
    if "error" in challenge.params:
        found.append(info("AUTH-02", f"error={challenge.params['error']!r} on a request without credentials"))
    return found


# ---------------------------------------------------------------- AUTH-03


def _document(exchange: HttpInfo | None) -> dict[str, Any] | None:
    if exchange is None or exchange.status != 200:
        return None
    try:
        data = json.loads(exchange.body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _norm(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme.lower()}://{parsed.netloc.lower()}{parsed.path.rstrip('/')}"


def prm_document(
    attempts: list[tuple[str, str, HttpInfo | None]],
    server_url: str,
    version: str,
    *,
    trusted_issuer: str | None,
    enforces_scopes: bool,
) -> list[Finding]:
    """The Protected Resource Metadata (RFC 9728): where it is, its status, type and fields."""
    rule = "AUTH-03"
    sev = _sev(rule, version)
    usable = [(where, url, ex) for where, url, ex in attempts if ex is not None and ex.status == 200]
    if not usable:
        tried = ", ".join(
            f"{where}: {url} -> {ex.status if ex else 'no answer'}" for where, url, ex in attempts
        )
        return [graded(rule, sev, f"no Protected Resource Metadata found ({tried})")]
    found: list[Finding] = []
    where, url, exchange = usable[0]
    assert exchange is not None
    if version == V3 and where == "header" and not any(w == "path" for w, _u, _e in usable):
        found.append(
            warn(rule, f"the PRM is only at the challenge's URL {url}, not at the RFC 9728 path form")
        )
    evidence = summary(exchange)
    if exchange.content_type != "application/json":
        found.append(
            graded(
                rule,
                sev,
                f"the PRM at {url} is {exchange.content_type or 'untyped'}, not application/json",
                evidence,
            )
        )
    doc = _document(exchange)
    if doc is None:
        found.append(graded(rule, sev, f"the PRM at {url} is not a JSON object", evidence))
        return found
    resource = doc.get("resource")
    if not isinstance(resource, str) or not resource:
        found.append(graded(rule, sev, "the PRM has no `resource`", evidence))
    elif resource != server_url:
        own, theirs = urlparse(server_url), urlparse(resource)
        same_origin = (own.scheme.lower(), own.netloc.lower()) == (
            theirs.scheme.lower(),
            theirs.netloc.lower(),
        )
        if _norm(resource) == _norm(server_url):
            found.append(
                warn(rule, f"`resource` {resource!r} differs from {server_url!r} only in case or a slash")
            )
        elif same_origin and own.path.startswith(theirs.path.rstrip("/")):
            found.append(warn(rule, f"`resource` {resource!r} is a same-origin prefix of {server_url!r}"))
        else:
            found.append(
                graded(rule, sev, f"`resource` {resource!r} is not this server ({server_url!r})", evidence)
            )
    servers = doc.get("authorization_servers")
    if not isinstance(servers, list) or not servers or not all(isinstance(s, str) and s for s in servers):
        found.append(
            graded(rule, sev, "`authorization_servers` is not a non-empty array of issuer URLs", evidence)
        )
    elif trusted_issuer and _norm(trusted_issuer) not in {_norm(s) for s in servers}:
        found.append(
            warn(rule, f"the trusted issuer {trusted_issuer} is not in `authorization_servers` {servers}")
        )
    scopes = doc.get("scopes_supported")
    if enforces_scopes and not isinstance(scopes, list):
        found.append(warn(rule, "`scopes_supported` is missing although the server enforces scopes"))
    if _at_least(version, V5) and isinstance(scopes, list) and "offline_access" in scopes:
        found.append(warn(rule, "`scopes_supported` lists offline_access (V5 SHOULD NOT)"))
    return found


# ---------------------------------------------------------------- AUTH-04


def v2_authorization_server(metadata: HttpInfo, token_endpoint: HttpInfo | None) -> list[Finding]:
    """V2: RFC 8414 metadata at the origin (SHOULD), else a /token that exists (MUST)."""
    doc = _document(metadata)
    if doc is not None and isinstance(doc.get("issuer"), str) and isinstance(doc.get("token_endpoint"), str):
        return []
    found = [
        warn("AUTH-04", f"no RFC 8414 metadata at the origin (HTTP {metadata.status})", summary(metadata))
    ]
    if token_endpoint is not None and token_endpoint.status == 404:
        found.append(graded("AUTH-04", "fail", "no metadata and POST /token is 404", summary(token_endpoint)))
    return found


# ---------------------------------------------------------------- AUTH-05 / AUTH-06


def bad_token_refused(
    rule: str, name: str, exchange: HttpInfo, version: str, *, derived: bool = False
) -> list[Finding]:
    """A token the server must refuse with 401 (and SHOULD say `invalid_token`)."""
    if exchange.status == 401:
        challenge = challenge_of(exchange)
        if challenge is None or challenge.params.get("error") != "invalid_token":
            return [
                warn(rule, f'{name} got 401 without error="invalid_token" (RFC 6750 §3.1)', summary(exchange))
            ]
        return []
    severity = "warn" if derived else _sev(rule, version)
    if served(exchange) or 200 <= exchange.status < 300:
        why = {
            "T_key": " (signatures go unchecked)",
            "T_none": " (alg none accepted: signatures go unchecked)",
            "T_tamper": " (claims edited after signing were trusted)",
            "T_exp": " (expiry not checked)",
        }.get(name, "")
        return [graded(rule, severity, f"{name} was served{why}", summary(exchange))]
    return [
        graded(rule, severity, f"{name} was refused with HTTP {exchange.status}, not 401", summary(exchange))
    ]


# ---------------------------------------------------------------- AUTH-07


def scope_refusal(exchange: HttpInfo, what: str, version: str) -> tuple[list[Finding], Challenge | None]:
    """A call made with too few scopes: 403 + insufficient_scope challenge; returns the challenge."""
    rule = "AUTH-07"
    if exchange.status == 401:
        return [
            graded(
                rule,
                _sev(rule, version),
                f"{what}: 401 instead of 403 for a valid token lacking scope",
                summary(exchange),
            )
        ], None
    if 200 <= exchange.status < 300:
        return _error_instead(exchange, what), None
    if exchange.status != 403:
        return [
            graded(
                rule,
                _sev(rule, version),
                f"{what}: refused with HTTP {exchange.status}, not 403",
                summary(exchange),
            )
        ], None
    challenge = challenge_of(exchange)
    evidence = {"www-authenticate": exchange.headers.get("www-authenticate"), **summary(exchange)}
    if not is_bearer(challenge) or challenge is None:
        return [warn(rule, f"{what}: 403 without a Bearer challenge", evidence)], None
    found: list[Finding] = []
    wanted = ("error", "scope", "resource_metadata") if _at_least(version, V4) else ("error",)
    for name in wanted:
        if name not in challenge.params:
            found.append(warn(rule, f"{what}: the 403 challenge has no {name}", evidence))
    if "error" in challenge.params and challenge.params["error"] != "insufficient_scope":
        found.append(
            warn(rule, f"{what}: error={challenge.params['error']!r}, expected insufficient_scope", evidence)
        )
    return found, challenge


def _error_instead(exchange: HttpInfo, what: str) -> list[Finding]:
    """A 200 that carries an error or an isError result for a scope problem: the client cannot step up."""
    from harness.checks.http import reply

    found = reply(exchange)
    if found is None:
        return []
    result = found.get("result")
    if "error" in found or (isinstance(result, dict) and result.get("isError") is True):
        text = json.dumps(found)[:300].lower()
        if "scope" in text or "forbidden" in text or "permission" in text:
            return [
                warn(
                    "AUTH-07",
                    f"{what}: refused inside a 200 instead of 403 (no step-up possible)",
                    summary(exchange),
                )
            ]
    return []


def step_up(exchange: HttpInfo, what: str, second: bool) -> list[Finding]:
    """The retry with the challenged scopes added must be served (V4+, derived)."""
    if exchange.status == 403 and second:
        return [
            warn(
                "AUTH-07",
                f"{what}: a second 403 after step-up (V5 SHOULD name all scopes at once)",
                summary(exchange),
            )
        ]
    if not (200 <= exchange.status < 300):
        return [
            warn("AUTH-07", f"{what}: not served after step-up (HTTP {exchange.status})", summary(exchange))
        ]
    return []


# ---------------------------------------------------------------- AUTH-09


def other_subject(exchange: HttpInfo) -> list[Finding]:
    """A valid token of another user in someone's session SHOULD be refused."""
    if served(exchange):
        return [
            warn("AUTH-09", "a valid token of another subject was served in this session", summary(exchange))
        ]
    return []


# ---------------------------------------------------------------- AUTH-10


def _pieces(token: str) -> list[str]:
    parts = token.split(".")
    signature = parts[2] if len(parts) == 3 and len(parts[2]) >= 16 else ""
    return [p for p in (token, signature) if p]


def no_passthrough(records: Iterable[dict[str, Any]], token: str, version: str) -> list[Finding]:
    """No upstream request carries the client's token or its signature (headers or query)."""
    found: list[Finding] = []
    pieces = _pieces(token)
    for record in records:
        request = f"{record.get('method')} {record.get('path')}"
        places = {"authorization": record.get("authorization") or "", "query": record.get("query") or ""}
        for name, value in (record.get("headers") or {}).items():
            places[f"header {name}"] = str(value)
        for where, value in places.items():
            if any(piece in value for piece in pieces):
                found.append(
                    graded(
                        "AUTH-10",
                        _sev("AUTH-10", version),
                        f"the client's token reached upstream in {where} of {request}",
                        {"upstream": request, "where": where},
                    )
                )
                break
    return found


@check("AUTH-05")
def variants_not_tried(why_limited: str | None) -> list[Finding]:
    """AUTH-05 (INFO): when only the non-JWT and tampered tokens could be
    forged, say why, so a pass is not read as "every bad token was refused"."""
    if not why_limited:
        return []
    return [info("AUTH-05", f"only the non-JWT and tampered tokens were tried: {why_limited}")]


@check("SEC-01")
def token_in_answer(exchange: HttpInfo, token: str, what: str) -> list[Finding]:
    """SEC-01: the client's bearer token never comes back in the answer (body or
    SSE events); a server that echoes it hands the credential to whatever reads
    its output, the model included."""
    body = (exchange.body or b"").decode("utf-8", "replace") + str(exchange.sse_events)
    if token not in body:
        return []
    return [fail("SEC-01", f"{what}: the client's token came back in the answer", summary(exchange))]


@check("AUTH-11")
def stdio_credentials(sandboxed: bool) -> list[Finding]:
    """AUTH-11 (INFO): over stdio the server takes its credentials from the
    environment, never in-band; recorded, since nothing on the pipe can show
    where they came from."""
    where = "the sandbox variables" if sandboxed else "its environment"
    return [info("AUTH-11", f"stdio: the server ran on {where} alone, with no token in-band")]
