"""Resource checks (RES-*): pure functions over list results and read exchanges.

The URI and URI-template grammars are written out here (RFC 3986 appendix A,
RFC 6570 section 2) instead of pulling a package, because no packaged validator
is installed and the stock `FormatChecker` checks neither `uri` nor
`uri-template` (spec-rules "Schema notes").
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.exchange import Exchange
from harness.protocol.versions import V3, V5, version_index

# --------------------------------------------------------------------------- RFC 3986

_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_SEGMENT = rf"{_PCHAR}*"
_SEGMENT_NZ = rf"{_PCHAR}+"
_USERINFO = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_IP_LITERAL = rf"\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+)\]"
_REG_NAME = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"  # IPv4 addresses are reg-names too
_AUTHORITY = rf"(?:{_USERINFO}@)?(?:{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?"
_HIER_PART = (
    rf"(?://{_AUTHORITY}(?:/{_SEGMENT})*"  # "//" authority path-abempty
    rf"|/(?:{_SEGMENT_NZ}(?:/{_SEGMENT})*)?"  # path-absolute
    rf"|{_SEGMENT_NZ}(?:/{_SEGMENT})*"  # path-rootless
    r"|)"  # path-empty
)
_QUERY = rf"(?:{_PCHAR}|[/?])*"
URI_RE = re.compile(rf"[A-Za-z][A-Za-z0-9+\-.]*:{_HIER_PART}(?:\?{_QUERY})?(?:#{_QUERY})?")


def uri_problem(uri: Any) -> str | None:
    """Why `uri` is not an RFC 3986 URI (scheme included), or None when it is one."""
    if not isinstance(uri, str):
        return f"is a {type(uri).__name__}, not a string"
    if not uri:
        return "is empty"
    if URI_RE.fullmatch(uri):
        return None
    if not re.match(r"[A-Za-z][A-Za-z0-9+\-.]*:", uri):
        return "has no scheme (RFC 3986: scheme ':' hier-part)"
    bad = sorted({c for c in uri if not (c.isascii() and (c.isalnum() or c in "-._~!$&'()*+,;=:@/?#[]%"))})
    if bad:
        return "contains characters RFC 3986 does not allow unencoded: " + " ".join(repr(c) for c in bad[:8])
    return "does not match the RFC 3986 URI grammar"


def iri_only(uri: str) -> bool:
    """True when the only RFC 3986 problem is unencoded non-ASCII text (a valid RFC 3987 IRI)."""
    encoded = "".join(c if c.isascii() else "".join(f"%{b:02X}" for b in c.encode()) for c in uri)
    return encoded != uri and URI_RE.fullmatch(encoded) is not None


# --------------------------------------------------------------------------- RFC 6570

_VARCHAR = r"(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})"
_VARNAME = rf"{_VARCHAR}(?:\.?{_VARCHAR})*"
_VARSPEC = rf"{_VARNAME}(?::[1-9][0-9]{{0,3}}|\*)?"
_EXPRESSION = re.compile(rf"\{{([+#./;?&=,!@|]?)({_VARSPEC}(?:,{_VARSPEC})*)\}}")
_LITERAL_FORBIDDEN = set(" \"'<>\\^`{|}")


def template_problem(template: Any) -> str | None:
    """Why `template` is not an RFC 6570 URI template, or None when it parses."""
    if not isinstance(template, str):
        return f"is a {type(template).__name__}, not a string"
    position = 0
    for match in _EXPRESSION.finditer(template):
        problem = _literal_problem(template[position : match.start()])
        if problem:
            return problem
        position = match.end()
    return _literal_problem(template[position:])


def _literal_problem(text: str) -> str | None:
    if "{" in text or "}" in text:
        return f"has a malformed expression near {text[:40]!r} (RFC 6570 section 2.2)"
    bad = sorted({c for c in text if c in _LITERAL_FORBIDDEN or ord(c) < 0x20 or ord(c) == 0x7F})
    if bad:
        return "has characters RFC 6570 forbids in literals: " + " ".join(repr(c) for c in bad)
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        return "has a '%' that does not start a percent-encoded octet"
    return None


def template_variables(template: str) -> list[str]:
    """Variable names of an RFC 6570 template, in order of appearance."""
    names: list[str] = []
    for match in _EXPRESSION.finditer(template):
        for spec in match.group(2).split(","):
            name = re.sub(r"(:\d+|\*)$", "", spec)
            if name not in names:
                names.append(name)
    return names


def expand_template(template: str, values: dict[str, str], raw: bool = False) -> str:
    """Expand `template` with `values` (RFC 6570 level 3 operators, strings only).

    With `raw=True` values go in unencoded, as a careless server would splice
    them; that is how a `..` path reaches a file-backed template.
    """
    from urllib.parse import quote

    def enc(value: str, reserved: bool) -> str:
        if raw:
            return value
        return quote(value, safe=":/?#[]@!$&'()*+,;=" if reserved else "")

    def replace(match: re.Match[str]) -> str:
        op = match.group(1)
        names = [re.sub(r"(:\d+|\*)$", "", s) for s in match.group(2).split(",")]
        pairs = [(n, values.get(n, "x")) for n in names]
        reserved = op in ("+", "#")
        if op in ("", "+", "#"):
            body = ",".join(enc(v, reserved) for _, v in pairs)
            return ("#" if op == "#" else "") + body
        if op in (".", "/"):
            return "".join(op + enc(v, False) for _, v in pairs)
        if op == ";":
            return "".join(f";{n}={enc(v, False)}" if v else f";{n}" for n, v in pairs)
        if op in ("?", "&"):
            return op + "&".join(f"{n}={enc(v, False)}" for n, v in pairs)
        return match.group(0)  # reserved operators: leave as is

    return _EXPRESSION.sub(replace, template)


# --------------------------------------------------------------------------- list shapes


@check("RES-01")
def list_result(method: str, exchange: Exchange, key: str, id_field: str) -> list[Finding]:
    """RES-01: a declared resources family answers its list with `key[]`, each item
    carrying a string `id_field` (uri or uriTemplate) and a string `name`."""
    if not exchange.ok:
        return [fail("RES-01", f"{method} failed although resources is declared", exchange.response)]
    result = exchange.result if isinstance(exchange.result, dict) else {}
    items = result.get(key)
    if not isinstance(items, list):
        return [fail("RES-01", f"{method} result has no {key} array", exchange.response)]
    findings: list[Finding] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            findings.append(fail("RES-01", f"{method} {key}[{index}] is not an object", item))
            continue
        for field in (id_field, "name"):
            if not isinstance(item.get(field), str):
                label = item.get(id_field) or item.get("name") or f"{key}[{index}]"
                findings.append(fail("RES-01", f"{method}: {label!r} has no string {field}", item))
    return findings


@check("RES-01")
def templates_valid(templates: list[Any]) -> list[Finding]:
    """RES-01: every uriTemplate is an RFC 6570 URI template."""
    findings = []
    for item in templates:
        template = item.get("uriTemplate") if isinstance(item, dict) else None
        if isinstance(template, str) and (problem := template_problem(template)):
            findings.append(fail("RES-01", f"uriTemplate {template!r} {problem}", item))
    return findings


@check("RES-08")
def uris_valid(resources: list[Any]) -> list[Finding]:
    """RES-08: every listed resource uri parses as an RFC 3986 URI.

    Unencoded non-ASCII text that is otherwise well-formed (an RFC 3987 IRI) is
    a WARN: clients usually cope, but it is not an RFC 3986 URI.
    """
    findings = []
    for item in resources:
        uri = item.get("uri") if isinstance(item, dict) else None
        if uri is None:
            continue  # a missing uri is RES-01's
        problem = uri_problem(uri)
        if problem is None:
            continue
        if isinstance(uri, str) and iri_only(uri):
            findings.append(
                warn("RES-08", f"resource uri {uri!r} has unencoded non-ASCII characters (IRI)", item)
            )
        else:
            findings.append(fail("RES-08", f"resource uri {uri!r} {problem}", item))
    return findings


AUDIENCE = ("user", "assistant")


@check("RES-07")
def annotations_valid(items: list[Any], version: str) -> list[Finding]:
    """RES-07: annotations on listed resources and templates are well-typed:
    `audience` a list of user|assistant, `priority` a number in [0, 1], and
    (from 2025-06-18) `lastModified` an ISO 8601 timestamp (a SHOULD in the
    schema's own words, so WARN)."""
    findings: list[Finding] = []
    for item in items:
        if not isinstance(item, dict) or "annotations" not in item:
            continue
        label = item.get("uri") or item.get("uriTemplate") or item.get("name")
        notes = item["annotations"]
        if not isinstance(notes, dict):
            findings.append(fail("RES-07", f"{label!r}: annotations is not an object", item))
            continue
        audience = notes.get("audience")
        if "audience" in notes and (
            not isinstance(audience, list) or any(a not in AUDIENCE for a in audience)
        ):
            findings.append(
                fail("RES-07", f"{label!r}: audience {audience!r} is not a list of user/assistant", item)
            )
        priority = notes.get("priority")
        if "priority" in notes and (
            isinstance(priority, bool) or not isinstance(priority, (int, float)) or not 0 <= priority <= 1
        ):
            findings.append(
                fail("RES-07", f"{label!r}: priority {priority!r} is not a number in [0, 1]", item)
            )
        if "lastModified" in notes and version_index(version) >= version_index(V3):
            stamp = notes["lastModified"]
            if not isinstance(stamp, str):
                findings.append(fail("RES-07", f"{label!r}: lastModified {stamp!r} is not a string", item))
            elif not iso8601(stamp):
                findings.append(
                    warn("RES-07", f"{label!r}: lastModified {stamp!r} is not an ISO 8601 timestamp", item)
                )
    return findings


def iso8601(text: str) -> bool:
    """True for ISO 8601 dates and date-times (a trailing Z included)."""
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        datetime.fromisoformat(candidate)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- reads


def input_required(exchange: Exchange) -> bool:
    """A V5 InputRequiredResult (MRTR): a legitimate answer with no contents to judge."""
    result = exchange.result
    return isinstance(result, dict) and result.get("resultType") == "input_required"


@check("RES-02")
def read_result(exchange: Exchange, uri: str, *, listed: bool = True) -> list[Finding]:
    """RES-02: a successful read has `contents[]`; each item has a string `uri`
    and exactly one of `text` (a string) or `blob` (a base64 string).

    A read that fails is not judged here: listed resources may be unavailable
    (INFO), templates are expanded with guessed values (INFO).
    """
    what = "listed resource" if listed else "template expansion"
    if not exchange.ok:
        error = exchange.error or {}
        return [
            info("RES-02", f"reading {what} {uri!r} failed ({error.get('code')}: {error.get('message')})")
        ]
    if input_required(exchange):
        return [info("RES-02", f"reading {uri!r} asked for input (input_required); contents not checked")]
    result = exchange.result if isinstance(exchange.result, dict) else {}
    contents = result.get("contents")
    if not isinstance(contents, list):
        return [fail("RES-02", f"resources/read {uri!r}: result has no contents array", exchange.response)]
    findings = []
    for index, item in enumerate(contents):
        where = f"resources/read {uri!r} contents[{index}]"
        if not isinstance(item, dict):
            findings.append(fail("RES-02", f"{where} is not an object", exchange.response))
            continue
        if not isinstance(item.get("uri"), str):
            findings.append(fail("RES-02", f"{where} has no string uri", exchange.response))
        has_text, has_blob = "text" in item, "blob" in item
        if has_text and has_blob:
            findings.append(fail("RES-02", f"{where} has both text and blob (exactly one is allowed)", item))
        elif not (has_text or has_blob):
            findings.append(fail("RES-02", f"{where} has neither text nor blob", item))
        elif has_text and not isinstance(item["text"], str):
            findings.append(fail("RES-02", f"{where} text is not a string", item))
        if has_blob and (problem := base64_problem(item["blob"])):
            findings.append(fail("RES-02", f"{where} blob {problem}", _trim(item)))
    return findings


def base64_problem(data: Any) -> str | None:
    """Why `data` is not standard base64 (RFC 4648 with padding), or None."""
    if not isinstance(data, str):
        return f"is a {type(data).__name__}, not a base64 string"
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        return f"is not valid base64 ({exc})"
    return None


@check("RES-03")
def not_found(exchange: Exchange, uri: str, version: str) -> list[Finding]:
    """RES-03: reading a resource that does not exist.

    Up to 2025-11-25 the spec asks for -32002 (SHOULD: anything else is WARN).
    From 2026-07-28 it MUST be -32602, MUST NOT be -32002 and MUST NOT be an
    empty `contents` array (FAIL). Contents for a made-up URI under an
    unknown scheme are only suspicious (WARN): we cannot prove it does not exist.
    """
    modern = version_index(version) >= version_index(V5)
    if exchange.ok:
        contents = (exchange.result or {}).get("contents") if isinstance(exchange.result, dict) else None
        if isinstance(contents, list) and not contents:
            if modern:
                return [
                    fail(
                        "RES-03",
                        f"unknown resource {uri!r} answered with empty contents, not -32602",
                        exchange.response,
                    )
                ]
            return [
                warn(
                    "RES-03",
                    f"unknown resource {uri!r} answered with empty contents, not error -32002",
                    exchange.response,
                )
            ]
        if input_required(exchange):
            return [info("RES-03", f"unknown resource {uri!r} answered input_required")]
        expected = "-32602" if modern else "-32002"
        return [
            warn(
                "RES-03",
                f"unknown resource {uri!r} was read successfully; expected error {expected}",
                exchange.response,
            )
        ]
    code = exchange.code
    if modern:
        if code == -32002:
            return [
                fail(
                    "RES-03",
                    f"unknown resource answered -32002, which {V5} forbids (use -32602)",
                    exchange.response,
                )
            ]
        if code != -32602:
            return [
                fail(
                    "RES-03",
                    f"unknown resource answered {code!r}; {V5} requires -32602",
                    exchange.response,
                )
            ]
        return []
    if code != -32002:
        return [
            warn(
                "RES-03",
                f"unknown resource answered {code!r}; the spec asks for -32002 (resource not found)",
                exchange.response,
            )
        ]
    return []


_PASSWD_LINE = re.compile(r"(?m)^[A-Za-z_][A-Za-z0-9_.-]*:[^:\n]*:\d+:\d+:[^:\n]*:[^:\n]*:[^:\n]*$")


def file_contents_leaked(value: Any) -> bool:
    """True when `value` (any JSON) holds text that looks like /etc/passwd."""
    if isinstance(value, str):
        if _PASSWD_LINE.search(value):
            return True
        if len(value) % 4 == 0 and len(value) >= 16:
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                return False
            return bool(_PASSWD_LINE.search(decoded))
        return False
    if isinstance(value, dict):
        return any(file_contents_leaked(v) for v in value.values())
    if isinstance(value, list):
        return any(file_contents_leaked(v) for v in value)
    return False


@check("RES-04")
def traversal(exchange: Exchange, uri: str, *, from_template: bool) -> list[Finding]:
    """RES-04: a URI that climbs out with `..` gets an error and no file contents.

    Any error passes (a server that does not know the scheme is right to
    refuse). File contents in the answer (or in the error) FAIL. A success
    without file contents is WARN for a plain `file://` traversal URI and
    INFO for a template expansion (the value may just be echoed back).
    """
    if file_contents_leaked(exchange.response):
        return [
            fail(
                "RES-04",
                f"path traversal: reading {uri!r} returned file contents (/etc/passwd lines)",
                _trim(exchange.response),
            )
        ]
    if not exchange.ok or input_required(exchange):
        return []
    if from_template:
        return [info("RES-04", f"template expanded with '..' ({uri!r}) was served (no file contents seen)")]
    return [
        warn(
            "RES-04",
            f"traversal URI {uri!r} was served instead of rejected (no file contents seen)",
            _trim(exchange.response),
        )
    ]


@check("RES-05")
def empty_result(exchange: Exchange, method: str, uri: str) -> list[Finding]:
    """RES-05: resources/subscribe and resources/unsubscribe return an empty result."""
    if not exchange.ok:
        error = exchange.error or {}
        return [
            fail(
                "RES-05",
                f"{method} {uri!r} failed ({error.get('code')}: {error.get('message')}) although "
                "resources.subscribe is declared",
                exchange.response,
            )
        ]
    extra = (
        sorted(k for k in (exchange.result or {}) if k != "_meta")
        if isinstance(exchange.result, dict)
        else []
    )
    if extra:
        return [warn("RES-05", f"{method} result is not empty: it has {', '.join(extra)}", exchange.response)]
    return []


@check("RES-05")
def updates_after_unsubscribe(notifications: list[dict[str, Any]], uri: str) -> list[Finding]:
    """RES-05: no notifications/resources/updated for a URI after unsubscribing it.

    WARN only: an update already on its way when the unsubscribe arrived is a race.
    """
    return [
        warn("RES-05", f"notifications/resources/updated for {uri!r} after resources/unsubscribe", message)
        for message in notifications
        if message.get("method") == "notifications/resources/updated"
        and (message.get("params") or {}).get("uri") == uri
    ]


def _trim(message: Any) -> Any:
    """Evidence without megabytes of contents."""
    import json

    text = json.dumps(message, default=str)
    return message if len(text) <= 2000 else {"truncated": text[:2000]}


@check("RES-01")
def templates_unimplemented(method: str, exchange: Exchange) -> list[Finding]:
    """RES-01 (INFO): resources/templates/list answered -32601. Templates are
    optional, so this is recorded, not judged; the suite stops walking that list."""
    if method != "resources/templates/list" or exchange.code != -32601:
        return []
    return [info("RES-01", "resources/templates/list is not implemented (-32601)")]


@check("RES-02")
def reads_sampled(listed: int, limit: int, read_all_at: str | None = None) -> list[Finding]:
    """RES-02 (INFO): a server with more than `limit` resources is sampled,
    and the report says so (and at which version of the era they were all read)."""
    if listed <= limit:
        return []
    where = f" (more at {read_all_at}, the newest version of this era)" if read_all_at else ""
    return [info("RES-02", f"{listed} resources listed; read the first {limit}{where}")]


@check("RES-02")
def resources_to_read(resources: list[Any]) -> list[Finding]:
    """RES-02 (INFO): with no listed resource, only templates were read."""
    if resources:
        return []
    return [info("RES-02", "the server lists no resources to read")]


@check("RES-07")
def annotations_seen(items: list[Any]) -> list[Finding]:
    """RES-07 (INFO): no resource or template carries annotations, so their
    types were not observed."""
    if any(isinstance(item, dict) and "annotations" in item for item in items):
        return []
    return [info("RES-07", "no listed resource or template carries annotations")]


@check("RES-08")
def uris_listed(resources: list[Any]) -> list[Finding]:
    """RES-08 (INFO): with no listed resource there is no URI to parse."""
    if resources:
        return []
    return [info("RES-08", "the server lists no resources")]
