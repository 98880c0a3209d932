"""The stateless era, 2026-07-28 (VER-*, CACHE-*): pure functions over exchanges.

Each check names the one rule it judges, so a server that breaks one rule is
reported under that rule only: cache hints belong to CACHE-01 even on the
discover result, `resultType` to RPC-13 (checked per frame), serverInfo on the
discover result to VER-03 and on every other result to VER-04.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.checks.frames import INPUT_REQUIRED_METHODS
from harness.checks.jsonrpc import expect_error
from harness.checks.meta import KEY
from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.exchange import META_SERVER_INFO, Exchange
from harness.protocol.versions import V5

UNSUPPORTED_VERSION = -32022
CACHE_SCOPES = ("public", "private")


def _result(exchange: Exchange) -> dict[str, Any] | None:
    return exchange.result if exchange.ok and isinstance(exchange.result, dict) else None


@check("VER-01")
def missing_meta_rejected(exchange: Exchange, what: str) -> list[Finding]:
    """VER-01: a request without the protocolVersion or clientCapabilities `_meta` gets -32602.

    The spec names the code, so another code is FAIL as well as no error at all.
    """
    return expect_error("VER-01", exchange, -32602, what, wrong_code_severity="fail")


@check("VER-02")
def unsupported_version_rejected(exchange: Exchange, requested: str) -> list[Finding]:
    """VER-02: an unknown version gets -32022 with data.supported (array) and data.requested."""
    what = f"request with protocol version {requested!r}"
    found = expect_error("VER-02", exchange, UNSUPPORTED_VERSION, what, wrong_code_severity="fail")
    if found:
        return found
    data = (exchange.error or {}).get("data")
    if not isinstance(data, dict):
        return [
            fail(
                "VER-02",
                f"{what}: -32022 without a data object (needs supported and requested)",
                exchange.response,
            )
        ]
    findings = []
    supported = data.get("supported")
    if not (isinstance(supported, list) and all(isinstance(v, str) for v in supported)):
        findings.append(
            fail(
                "VER-02",
                f"{what}: data.supported is not an array of strings: {supported!r}",
                exchange.response,
            )
        )
    if data.get("requested") != requested:
        findings.append(
            fail(
                "VER-02",
                f"{what}: data.requested is {data.get('requested')!r}, not {requested!r}",
                exchange.response,
            )
        )
    return findings


@check("VER-03")
def discover_result(exchange: Exchange, version: str) -> list[Finding]:
    """VER-03: server/discover is implemented and returns supportedVersions and capabilities.

    serverInfo in the result's `_meta` is SHOULD (WARN). A list that leaves out
    the version the server just served is inconsistent (WARN).
    """
    result = _result(exchange)
    if result is None:
        got = exchange.response if exchange.response is not None else exchange.failure
        return [
            fail("VER-03", f"server/discover did not return a result (it MUST be implemented): {got!r:.300}")
        ]
    findings: list[Finding] = []
    supported = result.get("supportedVersions")
    if not (isinstance(supported, list) and supported and all(isinstance(v, str) for v in supported)):
        findings.append(
            fail(
                "VER-03",
                f"supportedVersions is not a non-empty array of strings: {supported!r}",
                exchange.response,
            )
        )
    elif version not in supported:
        findings.append(
            warn(
                "VER-03",
                f"supportedVersions {supported} leaves out {version}, which the server just served",
                exchange.response,
            )
        )
    if not isinstance(result.get("capabilities"), dict):
        findings.append(fail("VER-03", "the discover result has no capabilities object", exchange.response))
    meta = result.get("_meta")
    if not (isinstance(meta, dict) and isinstance(meta.get(META_SERVER_INFO), dict)):
        findings.append(
            warn(
                "VER-03", f"the discover result's _meta has no {META_SERVER_INFO} (SHOULD)", exchange.response
            )
        )
    return findings


@check("VER-04")
def server_info_in_meta(exchange: Exchange) -> list[Finding]:
    """VER-04: every result's `_meta` carries io.modelcontextprotocol/serverInfo (SHOULD)."""
    result = _result(exchange)
    if result is None:
        return []
    meta = result.get("_meta")
    if isinstance(meta, dict) and isinstance(meta.get(META_SERVER_INFO), dict):
        return []
    return [
        warn("VER-04", f"the {exchange.method} result's _meta has no {META_SERVER_INFO}", exchange.response)
    ]


@check("VER-05")
def served(exchange: Exchange, what: str) -> list[Finding]:
    """VER-05: a request that carries everything it needs in its own `_meta` is served."""
    if exchange.ok:
        return []
    got = exchange.response if exchange.response is not None else exchange.failure
    return [
        fail(
            "VER-05",
            f"{what} was not served: {got!r:.300}",
            *([exchange.response] if exchange.response else []),
        )
    ]


@check("CACHE-01")
def cache_hints(exchange: Exchange) -> list[Finding]:
    """CACHE-01: a complete cacheable result has ttlMs (integer >= 0) and cacheScope public|private;
    an input_required result has neither. An absent resultType counts as complete."""
    result = _result(exchange)
    if result is None:
        return []
    method = exchange.method
    if result.get("resultType") == "input_required":
        if method not in INPUT_REQUIRED_METHODS:
            return []  # RPC-13 owns an input_required where none may be; one slip, one rule
        extra = [k for k in ("ttlMs", "cacheScope") if k in result]
        if extra:
            return [
                fail(
                    "CACHE-01",
                    f"an input_required {method} result carries {', '.join(extra)}",
                    exchange.response,
                )
            ]
        return []
    findings = []
    ttl = result.get("ttlMs")
    if not (isinstance(ttl, int) and not isinstance(ttl, bool) and ttl >= 0):
        what = "no ttlMs" if "ttlMs" not in result else f"ttlMs {ttl!r} (needs an integer >= 0)"
        findings.append(fail("CACHE-01", f"the {method} result has {what}", exchange.response))
    scope = result.get("cacheScope")
    if scope not in CACHE_SCOPES:
        what = (
            "no cacheScope"
            if "cacheScope" not in result
            else f"cacheScope {scope!r} (needs public or private)"
        )
        findings.append(fail("CACHE-01", f"the {method} result has {what}", exchange.response))
    return findings


@check("CACHE-02")
def same_cache_scope(pages: list[Exchange]) -> list[Finding]:
    """CACHE-02: every page of one paginated list has the same cacheScope."""
    scopes = [(_result(p) or {}).get("cacheScope") for p in pages if _result(p) is not None]
    if len(set(map(repr, scopes))) <= 1:
        return []
    method = pages[0].method
    return [
        fail(
            "CACHE-02",
            f"the pages of {method} disagree on cacheScope: {scopes}",
            *[p.response for p in pages[:4] if p.response],
        )
    ]


@check("VER-08")
def extension_ids(capabilities: dict[str, Any]) -> list[Finding]:
    """VER-08: extension ids (keys of capabilities.extensions) follow the `_meta` key grammar,
    with the mandatory prefix."""
    extensions = capabilities.get("extensions")
    if not isinstance(extensions, dict):
        return []
    findings = []
    for key in extensions:
        if "/" not in key or not KEY.match(key):
            findings.append(
                fail(
                    "VER-08",
                    f"extension id {key!r} is not a prefixed _meta-style key (like com.example/name)",
                )
            )
    return findings


@check("VER-09")
def removed_method(method: str, exchange: Exchange) -> Finding:
    """VER-09 (INFO): how a method removed in 2026-07-28 is answered."""
    if exchange.ok:
        return info("VER-09", f"{method} is still served (a dual-era server may do so)")
    if exchange.code == -32601:
        return info("VER-09", f"{method} gets -32601, as on a {V5}-only server")
    return info("VER-09", f"{method} gets {exchange.code!r} (a {V5}-only server answers -32601)")


def all_results(exchanges: Iterable[Exchange]) -> list[Exchange]:
    return [e for e in exchanges if _result(e) is not None]


# Which client capability each kind of input request needs (MRTR-02).
INPUT_REQUEST_CAPABILITY = {
    "elicitation/create": "elicitation",
    "sampling/createMessage": "sampling",
    "roots/list": "roots",
}


@check("MRTR-01")
def input_required_content(exchange: Exchange) -> list[Finding]:
    """MRTR-01: an input_required result holds inputRequests or requestState (at least one).

    Which methods may return it at all is RPC-13, checked on every frame.
    """
    result = _result(exchange)
    if result is None or result.get("resultType") != "input_required":
        return []
    if result.get("inputRequests") or isinstance(result.get("requestState"), str):
        return []
    return [
        fail(
            "MRTR-01",
            f"the input_required {exchange.method} result has neither inputRequests nor requestState",
            exchange.response,
        )
    ]


@check("MRTR-02")
def input_requests_declared(exchange: Exchange, client_capabilities: dict[str, Any]) -> list[Finding]:
    """MRTR-02: each inputRequests entry is an elicitation, sampling or roots request of a kind
    the request's clientCapabilities declared."""
    result = _result(exchange)
    requests = (result or {}).get("inputRequests")
    if not isinstance(requests, dict):
        return []
    findings = []
    for key, entry in requests.items():
        method = entry.get("method") if isinstance(entry, dict) else None
        needed = INPUT_REQUEST_CAPABILITY.get(method) if isinstance(method, str) else None
        if needed is None:
            findings.append(
                fail(
                    "MRTR-02",
                    f"inputRequests[{key!r}] is not an elicitation, sampling or roots request: {method!r}",
                    exchange.response,
                )
            )
        elif needed not in client_capabilities:
            findings.append(
                fail(
                    "MRTR-02",
                    f"inputRequests[{key!r}] asks for {method}, but the request did not declare {needed}",
                    exchange.response,
                )
            )
    return findings


@check("VER-08")
def extensions_declared(capabilities: dict[str, Any]) -> list[Finding]:
    """VER-08 (INFO): with no extension declared, the extension-id grammar had
    nothing to judge; say so."""
    extensions = capabilities.get("extensions")
    if isinstance(extensions, dict) and extensions:
        return []
    return [info("VER-08", "the server declares no extensions")]


@check("VER-07")
def tools_watched(called: list[Exchange]) -> list[Finding]:
    """VER-07 (INFO): no tool could be called with plain arguments, so only
    the other requests were watched for server-sent requests."""
    if called:
        return []
    return [info("VER-07", "no tool could be called with plain arguments; only other requests were watched")]


@check("MRTR-01")
def input_required_seen(called: list[Exchange]) -> list[Finding]:
    """MRTR-01 (INFO): none of the tool calls asked for input, so the
    input_required rules were not exercised."""
    asked = [e for e in called if e.ok and isinstance(e.result, dict)]
    if any(e.result.get("resultType") == "input_required" for e in asked):
        return []
    return [info("MRTR-01", f"none of the {len(called)} tool call(s) asked for input (input_required)")]
