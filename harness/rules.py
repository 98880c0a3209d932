"""The rule catalogue: every rule id of ``spec-rules.md`` as data.

This module is the single source for checks, test ids, reports and the CI
baseline, so it holds facts only (no I/O, no logic beyond lookups). Titles are
our own one-line summaries; the authoritative wording is spec-rules.md and the
spec pages named in ``Rule.page`` (relative to ``docs/specification/<version>/``).

Levels follow the verdict table of spec-rules.md: MUST/MUST NOT -> fail,
SHOULD/SHOULD NOT -> warn, MAY/INFO -> info. Where spec-rules says a rule is
"derived", the level is the verdict spec-rules tells us to report (never MUST).
Where the text caps the verdict below the normative level (LIFE-08 "treat as
WARN", HTTP-02 "INFO"), ``max_severity`` records the cap so that a faithful
level never turns into a CI failure the rule text forbids.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from harness.versions import ALL_VERSIONS, expand, normalize

LEVELS: tuple[str, ...] = ("MUST", "SHOULD", "MAY", "INFO")
SEVERITIES: tuple[str, ...] = ("fail", "warn", "info")
TRANSPORTS: tuple[str, ...] = ("any", "stdio", "http")

_SEVERITY_OF_LEVEL: dict[str, str] = {"MUST": "fail", "SHOULD": "warn", "MAY": "info", "INFO": "info"}
_SEVERITY_RANK: dict[str, int] = {"info": 0, "warn": 1, "fail": 2}
_LEVEL_RANK: dict[str, int] = {"INFO": 0, "MAY": 1, "SHOULD": 2, "MUST": 3}

HARNESS_OBLIGATION = "harness obligation"


@dataclass(frozen=True)
class Rule:
    """One catalogue entry.

    ``level`` is the strongest level the rule has at any version (for derived
    rules: the level spec-rules says to report). ``level_by_version`` only lists
    versions whose level differs from ``level``; ``level_by_transport`` refines
    that further for one transport (RPC-12 on stdio, CANC-01 on V5 stdio).
    """

    id: str
    family: str
    level: str
    versions: tuple[str, ...]
    title: str
    page: str
    testable: bool
    reason: str = ""
    transport: str = "any"
    requires_sandbox: bool = False
    level_by_version: dict[str, str] = field(default_factory=dict)
    level_by_transport: dict[str, dict[str, str]] = field(default_factory=dict)
    max_severity: str = "fail"
    note: str = ""

    def applies_to(self, version: str, transport: str | None = None) -> bool:
        """True when the rule is in force at ``version`` (and on ``transport``, if given)."""
        if normalize(version) not in self.versions:
            return False
        return transport is None or transport == "any" or self.transport in ("any", transport)


def _levels(spec: Mapping[str, str] | None) -> dict[str, str]:
    """Expand ``{"V1-V2": "SHOULD"}`` into ``{"2024-11-05": "SHOULD", "2025-03-26": "SHOULD"}``."""
    out: dict[str, str] = {}
    for versions_spec, level in (spec or {}).items():
        for v in expand(versions_spec):
            out[v] = level
    return out


def _rule(
    rule_id: str,
    level: str,
    versions: str | Iterable[str],
    page: str,
    title: str,
    *,
    testable: bool = True,
    reason: str = "",
    transport: str = "any",
    sandbox: bool = False,
    by_version: Mapping[str, str] | None = None,
    by_transport: Mapping[str, Mapping[str, str]] | None = None,
    max_severity: str = "fail",
    note: str = "",
) -> Rule:
    """Build a :class:`Rule` from the compact notation used in the table below."""
    return Rule(
        id=rule_id,
        family=family_of(rule_id),
        level=level,
        versions=expand(versions),
        title=title,
        page=page,
        testable=testable,
        reason=reason,
        transport=transport,
        requires_sandbox=sandbox,
        level_by_version=_levels(by_version),
        level_by_transport={t: _levels(m) for t, m in (by_transport or {}).items()},
        max_severity=max_severity,
        note=note,
    )


def family_of(rule_id: str) -> str:
    """The family prefix of a rule id: ``"HTTP-L04"`` -> ``"HTTP"``, ``"HTTP-V1-01"`` -> ``"HTTP"``."""
    return rule_id.split("-", 1)[0]


_HO = HARNESS_OBLIGATION
_NOT_PROVOKABLE = (
    "needs the server to change state on its own; only checkable on a fixture that can trigger it"
)
_AUTH_V1 = {"V1": "INFO"}  # "V1 has no authorization spec, so everything here is INFO for V1"

_CATALOGUE: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- HARN
    _rule(
        "HARN-01",
        "MUST",
        "all",
        "basic/versioning",
        "Detect the era over stdio: server/discover first, initialize after any other error or silence",
        testable=False,
        reason=_HO,
        transport="stdio",
    ),
    _rule(
        "HARN-02",
        "MUST",
        "all",
        "basic/transports/streamable-http",
        "Detect the era over HTTP from the status and body of a modern request; probe for V1 HTTP+SSE",
        testable=False,
        reason=_HO,
        transport="http",
    ),
    _rule(
        "HARN-03",
        "MUST",
        "all",
        "",
        "Report a server that did not start or never answered a valid handshake as not verified, not failed",
        testable=False,
        reason=_HO,
    ),
    _rule(
        "HARN-04",
        "MUST",
        "all",
        "basic/index",
        "The harness obeys client MUSTs (fresh ids, no null ids, no cancelled initialize, required headers)",
        testable=False,
        reason=_HO,
    ),
    _rule(
        "HARN-05",
        "MUST",
        "V1-V4",
        "basic/lifecycle",
        "The harness answers server-to-client requests (ping, roots/list) so probing servers do not stall",
        testable=False,
        reason=_HO,
    ),
    # ---------------------------------------------------------------- RPC
    _rule(
        "RPC-01",
        "MUST",
        "all",
        "basic/index",
        'Every frame from the server is a JSON-RPC 2.0 message with jsonrpc "2.0"',
    ),
    _rule(
        "RPC-02",
        "MUST",
        "all",
        "basic/index",
        "A response echoes its request id exactly, same value and same JSON type; no phantom ids",
    ),
    _rule(
        "RPC-03",
        "MUST",
        "all",
        "basic/index",
        "A response carries exactly one of result or error, and result is an object",
    ),
    _rule("RPC-04", "MUST", "all", "basic/index", "An error has an integer code and a string message"),
    _rule(
        "RPC-05", "MUST", "all", "basic/index", "The server never replies to a notification, known or unknown"
    ),
    _rule(
        "RPC-06",
        "MUST",
        "all",
        "basic/index",
        "Server-sent request ids are strings or integers, never null, and never repeat in a session",
    ),
    _rule(
        "RPC-07",
        "SHOULD",
        "all",
        "basic/index",
        "A request with a null id is rejected with -32600 rather than processed",
        note="derived from JSON-RPC: report WARN, never FAIL",
    ),
    _rule(
        "RPC-08",
        "MUST",
        "all",
        "basic/index",
        "Invalid JSON gets a -32700 parse error and the server keeps working",
        note="a different error code is WARN; id null or absent both accepted; reply not schema-validated",
    ),
    _rule(
        "RPC-09",
        "MUST",
        "all",
        "basic/index",
        "A structurally invalid request (no/non-string method, wrong jsonrpc) gets -32600",
        note="a different error code is WARN",
    ),
    _rule(
        "RPC-10",
        "MUST",
        "all",
        "basic/index",
        "An unknown method gets -32601 (on V5 HTTP also status 404)",
        note="a different error code is WARN",
    ),
    _rule(
        "RPC-11",
        "MUST",
        "all",
        "basic/index",
        "Malformed params get -32602; an unexpected internal failure gets -32603",
        note="a different error code is WARN",
    ),
    _rule(
        "RPC-12",
        "MUST",
        "all",
        "basic/index",
        "Batches: unspecified in V1, must be accepted in V2, rejected with an error from V3",
        by_version={"V1": "INFO"},
        by_transport={"stdio": {"V3+": "SHOULD"}},
        note="V3+: accepting a batch fails on HTTP and is WARN on stdio (derived); a single -32600 is right",
    ),
    _rule(
        "RPC-13",
        "MUST",
        "V5",
        "basic/index",
        "Every result has resultType; input_required only for tools/call, resources/read, prompts/get",
    ),
    _rule(
        "RPC-14",
        "MUST",
        "V3+",
        "basic/index",
        "Server-emitted _meta keys follow the prefix/name grammar and respect reserved prefixes",
        note="a non-spec key under a reserved prefix is WARN",
    ),
    # ---------------------------------------------------------------- LIFE
    _rule(
        "LIFE-01",
        "MUST",
        "V1-V4",
        "basic/lifecycle",
        "initialize is answered with protocolVersion, capabilities and serverInfo (a valid InitializeResult)",
    ),
    _rule(
        "LIFE-02",
        "MUST",
        "V1-V4",
        "basic/lifecycle",
        "A requested version the server supports is echoed back exactly",
    ),
    _rule(
        "LIFE-03",
        "MUST",
        "V1-V4",
        "basic/lifecycle",
        "An unsupported requested version gets a counter-offer the server supports, ideally its newest",
        note="an error instead of a counter-offer: WARN by default, FAIL with --strict; silence/crash FAIL",
    ),
    _rule(
        "LIFE-04",
        "MUST",
        "V1-V4",
        "basic/lifecycle",
        "initialize without protocolVersion gets -32602 or a default version, never a hang or an exit",
        note="derived: -32602 is correct and a default version tolerable; only a hang or exit fails",
    ),
    _rule("LIFE-05", "MUST", "V1-V4", "basic/lifecycle", "notifications/initialized gets no reply"),
    _rule(
        "LIFE-06",
        "SHOULD",
        "V1-V4",
        "basic/lifecycle",
        "Before notifications/initialized the server sends no requests other than ping (logging is fine)",
    ),
    _rule(
        "LIFE-07",
        "INFO",
        "V1-V4",
        "basic/lifecycle",
        "What the server does with requests sent before initialize (recorded, not judged)",
        note="any error or normal processing is INFO; a crash is reported under LIVE-02",
    ),
    _rule(
        "LIFE-08",
        "MUST",
        "V1-V4",
        "basic/lifecycle",
        "The server sticks to the negotiated version and capabilities (no later-version fields or requests)",
        by_version={"V1-V2": "SHOULD"},
        max_severity="warn",
        note="extra fields are not schema-invalid, so spec-rules says to treat findings as WARN",
    ),
    _rule(
        "LIFE-09",
        "SHOULD",
        "V5",
        "basic/versioning",
        "A server may serve both eras; a V5-only one names its supported versions when refusing initialize",
        note="serving both eras is MAY (INFO); the supported-versions list in the error is SHOULD",
    ),
    # ---------------------------------------------------------------- VER
    _rule(
        "VER-01",
        "MUST",
        "V5",
        "basic/index",
        "A request missing the protocolVersion or clientCapabilities _meta entry gets -32602 (HTTP 400)",
    ),
    _rule(
        "VER-02",
        "MUST",
        "V5",
        "basic/versioning",
        "An unsupported version gets -32022 with data.supported and data.requested (HTTP 400)",
    ),
    _rule(
        "VER-03",
        "MUST",
        "V5",
        "server/discover",
        "server/discover returns supportedVersions, capabilities, resultType complete and cache hints",
        note="_meta serverInfo in the result is SHOULD",
    ),
    _rule(
        "VER-04",
        "SHOULD",
        "V5",
        "basic/index",
        "Every result's _meta carries io.modelcontextprotocol/serverInfo",
    ),
    _rule(
        "VER-05",
        "MUST",
        "V5",
        "basic/versioning",
        "The server keeps no per-connection state: each request is served on its own _meta",
    ),
    _rule(
        "VER-06",
        "MUST",
        "V5",
        "basic/versioning",
        "A needed, undeclared client capability gets -32021 listing requiredCapabilities, never silent use",
        reason="observable only when some request needs a client capability",
    ),
    _rule(
        "VER-07",
        "MUST",
        "V5",
        "basic/patterns/mrtr",
        "The server never sends JSON-RPC requests; it asks for input through InputRequiredResult",
    ),
    _rule(
        "VER-08",
        "MUST",
        "V5",
        "basic/versioning",
        "Extension ids are prefixed _meta-grammar keys; a missing extension means fallback or rejection",
        reason="the fallback half is observable only when the server declares extensions",
    ),
    _rule(
        "VER-09",
        "INFO",
        "V5",
        "basic/versioning",
        "Methods removed in V5 (ping, logging/setLevel, initialize, ...) get -32601 unless dual-era",
    ),
    # ---------------------------------------------------------------- CAP
    _rule(
        "CAP-01",
        "MUST",
        "all",
        "server/index",
        "Offered features are declared as capabilities and every declared family answers its list call",
        note="an undeclared family that answers anyway is WARN (derived)",
    ),
    _rule(
        "CAP-02",
        "MUST",
        "all",
        "basic/lifecycle",
        "No list_changed notifications without listChanged, no subscriptions without resources.subscribe",
        by_version={"V1-V2": "SHOULD"},
        note="accepting resources/subscribe without declaring support is WARN",
    ),
    _rule(
        "CAP-03",
        "MUST",
        "V1-V4",
        "basic/lifecycle",
        "No sampling, roots or elicitation requests (or V4 modes/tool sampling) the client did not declare",
    ),
    _rule(
        "CAP-04",
        "MUST",
        "all",
        "server/utilities/logging",
        "notifications/message only when the logging capability was declared",
    ),
    _rule(
        "CAP-05",
        "MUST",
        "V4",
        "basic/utilities/tasks",
        "Task support: ignore task metadata when undeclared, honour taskSupport, reject unknown taskIds",
        reason="mostly observable only when the server declares tasks or a tool sets execution.taskSupport",
        note="taskSupport forbidden/absent called with a task -> -32601 is SHOULD; the rest MUST",
    ),
    _rule(
        "CAP-06",
        "INFO",
        "V5",
        "basic/versioning",
        "V5 capabilities gain extensions and lose tasks (now the io.modelcontextprotocol/tasks extension)",
    ),
    # ---------------------------------------------------------------- TOOL
    _rule(
        "TOOL-01",
        "MUST",
        "all",
        "server/tools",
        "tools/list returns tools, each with a name and an object-typed inputSchema",
    ),
    _rule(
        "TOOL-02",
        "MUST",
        "all",
        "basic/index",
        "inputSchema and outputSchema are valid JSON Schemas (2020-12 unless $schema says otherwise)",
        by_version={"V1-V3": "SHOULD"},
        note="V1-V3 state no dialect: accept draft-07 or 2020-12, WARN only when none accepts; "
        "an unsupported dialect is not verified",
    ),
    _rule(
        "TOOL-03",
        "MUST",
        "V3+",
        "server/tools",
        "A tool with outputSchema returns structuredContent that validates against it on success",
    ),
    _rule(
        "TOOL-04",
        "SHOULD",
        "V3+",
        "server/tools",
        "structuredContent is mirrored as serialised JSON in a text content block",
    ),
    _rule(
        "TOOL-05",
        "MUST",
        "all",
        "server/tools",
        "An unknown tool name gets a JSON-RPC error, not an isError result",
        note="the code -32602 is SHOULD",
    ),
    _rule(
        "TOOL-06",
        "MUST",
        "all",
        "server/tools",
        "Invalid tool arguments are refused (protocol error or isError result), never answered with success",
        note="form by version: V1-V3 either passes; V4 prefers isError (-32602 for a semantic failure is "
        "WARN); "
        "V5 shows both. A success result FAILs at every version",
    ),
    _rule(
        "TOOL-07",
        "MUST",
        "all",
        "server/tools",
        "A failing tool run is a CallToolResult with content and isError true",
    ),
    _rule(
        "TOOL-08",
        "MUST",
        "V2+",
        "server/tools",
        "Tool annotations are typed hint booleans plus title",
        note="contradictory hint pairs are INFO only; hints are untrusted",
    ),
    _rule(
        "TOOL-09",
        "SHOULD",
        "V4+",
        "server/tools",
        "Tool names are 1-128 characters of [A-Za-z0-9_.-] and unique",
    ),
    _rule(
        "TOOL-10",
        "SHOULD",
        "all",
        "server/tools",
        "tools/list_changed is sent when the tool set changes (V5: only on a listen stream that asked)",
        testable=False,
        reason=_NOT_PROVOKABLE,
    ),
    _rule(
        "TOOL-11",
        "MUST",
        "V5",
        "server/tools",
        "List results do not depend on the connection or on earlier calls (tools, resources, prompts)",
        note="deterministic order is SHOULD",
    ),
    _rule(
        "TOOL-12",
        "MUST",
        "all",
        "server/tools",
        "Image/audio blocks carry base64 data and a mimeType; resource_link has uri and name",
    ),
    _rule(
        "TOOL-13",
        "SHOULD",
        "V3+",
        "server/tools",
        "A server that returns embedded resources declares the resources capability",
    ),
    _rule(
        "TOOL-14",
        "MUST",
        "all",
        "server/tools",
        "Tool inputs are validated: hostile arguments get a clean error or isError and the server survives",
    ),
    _rule(
        "TOOL-15",
        "MUST",
        "V5",
        "basic/transports/streamable-http",
        "x-mcp-header values are unique non-empty tokens on primitive properties reached through properties",
    ),
    # ---------------------------------------------------------------- RES
    _rule(
        "RES-01",
        "MUST",
        "all",
        "server/resources",
        "resources/list and resources/templates/list return items with uri/uriTemplate and name",
    ),
    _rule(
        "RES-02",
        "MUST",
        "all",
        "server/resources",
        "resources/read returns contents, each with uri and exactly one of text or base64 blob",
    ),
    _rule(
        "RES-03",
        "MUST",
        "all",
        "server/resources",
        "A missing resource gets -32002 (V1-V4) or -32602 and never -32002 or empty contents (V5)",
        by_version={"V1-V4": "SHOULD"},
        note="an internal failure gets -32603 (SHOULD)",
    ),
    _rule(
        "RES-04",
        "MUST",
        "all",
        "server/resources",
        "Resource URIs are validated and file:// path traversal is refused without leaking contents",
        note="path traversal is stated only in V5; URI validation is MUST everywhere",
    ),
    _rule(
        "RES-05",
        "MUST",
        "V1-V4",
        "server/resources",
        "With subscribe declared, subscribe/unsubscribe return an empty result; no updates after unsubscribe",
        reason="runs only when resources.subscribe is declared; receiving an update needs a fixture that "
        "changes a resource",
    ),
    _rule(
        "RES-06",
        "SHOULD",
        "all",
        "server/resources",
        "resources/list_changed is sent when the list changes (V5: through subscriptions/listen)",
        testable=False,
        reason=_NOT_PROVOKABLE,
    ),
    _rule(
        "RES-07",
        "MUST",
        "all",
        "server/resources",
        "Annotations are well-typed: audience in {user, assistant}, priority in [0,1], ISO-8601 lastModified",
        note="lastModified exists from V3",
    ),
    _rule(
        "RES-08",
        "MUST",
        "all",
        "server/resources",
        "Resource URIs, custom schemes included, parse as RFC 3986",
    ),
    # ---------------------------------------------------------------- PROMPT
    _rule(
        "PROMPT-01",
        "MUST",
        "all",
        "server/prompts",
        "prompts/list returns prompts with a name and well-formed optional arguments",
    ),
    _rule(
        "PROMPT-02",
        "MUST",
        "all",
        "server/prompts",
        "prompts/get returns messages with role user|assistant and one valid content block each",
    ),
    _rule(
        "PROMPT-03",
        "SHOULD",
        "all",
        "server/prompts",
        "Unknown prompt or missing required argument gets -32602; internal failure -32603",
    ),
    _rule(
        "PROMPT-04",
        "SHOULD",
        "all",
        "server/prompts",
        "prompts/list_changed is sent when the list changes (V5: through subscriptions/listen)",
        testable=False,
        reason=_NOT_PROVOKABLE,
    ),
    # ---------------------------------------------------------------- LOG
    _rule(
        "LOG-01",
        "MUST",
        "V1-V4",
        "server/utilities/logging",
        "logging/setLevel returns an empty result, filters lower levels, and rejects a bogus level",
        note="filtering is lower-case should and a bogus level -> -32602 is SHOULD: report those as WARN",
    ),
    _rule(
        "LOG-02",
        "MUST",
        "all",
        "server/utilities/logging",
        "notifications/message carries a valid syslog level and data",
    ),
    _rule(
        "LOG-03",
        "MUST",
        "V5",
        "server/utilities/logging",
        "Log notifications only for requests that set logLevel, and only on that request's own stream",
        note="an unrecognised logLevel -> -32602 is SHOULD",
    ),
    # ---------------------------------------------------------------- COMP
    _rule(
        "COMP-01",
        "MUST",
        "V2+",
        "server/utilities/completion",
        "A server that supports completion declares the completions capability",
    ),
    _rule(
        "COMP-02",
        "MUST",
        "all",
        "server/utilities/completion",
        "completion/complete returns at most 100 values with optional total and hasMore",
    ),
    _rule(
        "COMP-03",
        "SHOULD",
        "all",
        "server/utilities/completion",
        "Completion errors: -32601 when unsupported, -32602 for a bad ref or argument, -32603 internal",
    ),
    # ---------------------------------------------------------------- PAGE
    _rule(
        "PAGE-01",
        "MUST",
        "all",
        "server/utilities/pagination",
        "Paginated lists end: nextCursor is an opaque string, absent on the last page, and never loops",
        note="items repeated across pages are WARN; V4 adds tasks/list",
    ),
    _rule("PAGE-02", "SHOULD", "all", "server/utilities/pagination", "A garbage cursor gets -32602"),
    _rule(
        "PAGE-03",
        "SHOULD",
        "all",
        "server/utilities/pagination",
        "Re-sending a cursor returns the same page when nothing changed",
    ),
    # ---------------------------------------------------------------- CACHE
    _rule(
        "CACHE-01",
        "MUST",
        "V5",
        "server/utilities/caching",
        "Complete results of discover, list and read methods carry ttlMs and cacheScope; input_required none",
    ),
    _rule(
        "CACHE-02",
        "MUST",
        "V5",
        "server/utilities/caching",
        "All pages of one paginated list share the same cacheScope",
    ),
    # ---------------------------------------------------------------- CANC
    _rule(
        "CANC-01",
        "MUST",
        "all",
        "basic/utilities/cancellation",
        "After notifications/cancelled the server stops and does not answer the cancelled request",
        by_version={"V1-V5": "SHOULD"},
        by_transport={"stdio": {"V5": "MUST"}},
        note="races allowed (try 3 times); on V5 stdio any further message for the request FAILs",
    ),
    _rule(
        "CANC-02",
        "SHOULD",
        "all",
        "basic/utilities/cancellation",
        "Cancelling an unknown, finished or malformed id is silently ignored",
        note="a reply is reported under RPC-05 (MUST) and a crash under LIVE-02",
    ),
    _rule(
        "CANC-03",
        "MUST",
        "V2+",
        "basic/transports",
        "A dropped HTTP connection is not a cancel (V2-V4); closing a V5 request stream is one",
        testable=False,
        transport="http",
        by_version={"V2-V4": "SHOULD"},
        reason="only observable through a side effect of the abandoned work (a fixture or sandbox-backed "
        "slow tool); usually not verifiable",
    ),
    _rule(
        "CANC-04",
        "MUST",
        "V5",
        "basic/patterns/cancellation",
        "The server sends notifications/cancelled only to end a subscriptions/listen stream",
    ),
    # ---------------------------------------------------------------- PROG
    _rule(
        "PROG-01",
        "MUST",
        "all",
        "basic/utilities/progress",
        "Progress uses only tokens of in-flight requests, echoed unchanged (type included)",
        reason="observable only when the server emits progress for a request",
        note="the type match is derived: a coerced token is WARN",
    ),
    _rule(
        "PROG-02",
        "MUST",
        "all",
        "basic/utilities/progress",
        "progress strictly increases within one token",
        reason="observable only when the server emits progress",
    ),
    _rule(
        "PROG-03",
        "MUST",
        "all",
        "basic/utilities/progress",
        "No progress after the final response (or after a V4 task reaches a terminal state)",
        reason="observable only when the server emits progress",
    ),
    _rule(
        "PROG-04",
        "MUST",
        "V5",
        "basic/patterns/progress",
        "On HTTP, progress travels only on its request's response stream",
        transport="http",
        reason="observable only when the server emits progress",
    ),
    # ---------------------------------------------------------------- PING
    _rule(
        "PING-01",
        "MUST",
        "V1-V4",
        "basic/utilities/ping",
        "ping gets an empty result promptly, even while initialize is pending",
        note="latency above 1 s, or no reply before initialize completes, is WARN",
    ),
    # ---------------------------------------------------------------- SUB / MRTR
    _rule(
        "SUB-01",
        "MUST",
        "V5",
        "basic/patterns/subscriptions",
        "A listen stream opens with an acknowledgment tagged with the listen id, listing honoured filters",
        reason="runs only when the server supports subscriptions/listen",
    ),
    _rule(
        "SUB-02",
        "MUST",
        "V5",
        "basic/patterns/subscriptions",
        "Listen-stream notifications are tagged, requested, and never progress or log messages",
        reason="runs only when the server supports subscriptions/listen",
    ),
    _rule(
        "SUB-03",
        "SHOULD",
        "V5",
        "basic/patterns/subscriptions",
        "A server ending a subscription sends a final complete result or notifications/cancelled",
        testable=False,
        reason="the server must end a subscription on its own; cannot be provoked from outside",
        note="the pages disagree (SHOULD vs MUST): either form passes, neither is WARN",
    ),
    _rule(
        "MRTR-01",
        "MUST",
        "V5",
        "basic/patterns/mrtr",
        "InputRequiredResult only for tools/call, resources/read, prompts/get, with request data or state",
    ),
    _rule(
        "MRTR-02",
        "MUST",
        "V5",
        "basic/patterns/mrtr",
        "inputRequests hold only elicitation, sampling or roots requests of kinds the client declared",
    ),
    _rule(
        "MRTR-03",
        "MUST",
        "V5",
        "basic/patterns/mrtr",
        "A tampered requestState is never accepted as if it were genuine",
        reason="runs only when the server returns a requestState",
    ),
    # ---------------------------------------------------------------- HTTP (common)
    _rule(
        "HTTP-01",
        "MUST",
        "all",
        "basic/transports",
        "A disallowed Origin is rejected (403 from V4, any 4xx before) and no Origin still works",
        transport="http",
        note="Host checking is SDK hardening: INFO",
    ),
    _rule(
        "HTTP-02",
        "SHOULD",
        "all",
        "basic/transports",
        "A local server binds to 127.0.0.1 only",
        transport="http",
        max_severity="info",
        reason="checked only when the harness launched the server",
    ),
    _rule(
        "HTTP-03",
        "MUST",
        "V2+",
        "basic/transports",
        "An accepted POSTed notification (or V2-V4 response) gets 202 with an empty body, else a 4xx",
        transport="http",
    ),
    _rule(
        "HTTP-04",
        "MUST",
        "V2+",
        "basic/transports",
        "A POSTed request is answered as application/json or text/event-stream",
        transport="http",
        note="the SSE stream should end after the final response (SHOULD)",
    ),
    _rule(
        "HTTP-05",
        "INFO",
        "V2+",
        "basic/transports",
        "How the server treats an Accept header lacking one of the two media types (406 common, undefined)",
        transport="http",
        note="the Accept header itself is a client MUST the harness obeys (HARN-04)",
    ),
    _rule(
        "HTTP-06",
        "SHOULD",
        "V2+",
        "basic/transports",
        "Messages on a POST's SSE stream relate to that request; V5 SSE sets X-Accel-Buffering: no",
        transport="http",
        note="V5 requests on the stream are VER-07 (MUST)",
    ),
    # ---------------------------------------------------------------- HTTP (legacy)
    _rule(
        "HTTP-L01",
        "MUST",
        "V2-V4",
        "basic/transports",
        "GET on the endpoint returns an SSE stream or 405",
        transport="http",
    ),
    _rule(
        "HTTP-L02",
        "MUST",
        "V2-V4",
        "basic/transports",
        "The GET stream carries no JSON-RPC responses unless replaying a resumed stream",
        transport="http",
    ),
    _rule(
        "HTTP-L03", "MUST", "V2-V4", "basic/transports", "No message is sent on two streams", transport="http"
    ),
    _rule(
        "HTTP-L04",
        "MUST",
        "V2-V4",
        "basic/transports",
        "A session id, if assigned with InitializeResult, is visible ASCII (0x21-0x7E)",
        transport="http",
        reason="runs only when the server assigns sessions",
        note="sessions are MAY; unguessable and unique is SHOULD (entropy is INFO)",
    ),
    _rule(
        "HTTP-L05",
        "SHOULD",
        "V2-V4",
        "basic/transports",
        "A server that needs sessions rejects a non-init request without a session id with 400",
        transport="http",
        reason="runs only when the server assigns sessions",
    ),
    _rule(
        "HTTP-L06",
        "MUST",
        "V2-V4",
        "basic/transports",
        "Requests for an ended session get 404",
        transport="http",
        reason="runs only when the server assigns sessions",
        note="a never-issued id should also get 404 (derived); 400 is WARN",
    ),
    _rule(
        "HTTP-L07",
        "MAY",
        "V2-V4",
        "basic/transports",
        "DELETE with the session id ends the session (405 when not allowed)",
        transport="http",
        reason="runs only when the server assigns sessions",
    ),
    _rule(
        "HTTP-L08",
        "MUST",
        "V3-V4",
        "basic/transports",
        "An invalid or unsupported MCP-Protocol-Version header after init gets 400",
        transport="http",
        note="a missing header is treated as 2025-03-26 (SHOULD)",
    ),
    _rule(
        "HTTP-L09",
        "MUST",
        "V2-V4",
        "basic/transports",
        "Resumable SSE: event ids unique per session, replays never mix streams, V4 priming and retry",
        transport="http",
        reason="runs only when the server emits SSE event ids (resumability is MAY)",
        note="priming event and retry before an early close are V4 SHOULDs",
    ),
    _rule(
        "HTTP-L10",
        "MUST",
        "V2",
        "basic/transports",
        "A POSTed batch is accepted and answered with one response per request",
        transport="http",
        note="V3+ batches are covered by RPC-12",
    ),
    # ---------------------------------------------------------------- HTTP (modern)
    _rule(
        "HTTP-M01",
        "MUST",
        "V5",
        "basic/transports/streamable-http",
        "POST only (GET/DELETE get 405); session ids and Last-Event-ID are ignored and never set",
        transport="http",
        note="the 405 for GET/DELETE is SHOULD",
    ),
    _rule(
        "HTTP-M02",
        "MUST",
        "V5",
        "basic/transports/streamable-http",
        "MCP-Protocol-Version must match the body's _meta version, else 400 with -32020",
        transport="http",
    ),
    _rule(
        "HTTP-M03",
        "MUST",
        "V5",
        "basic/transports/streamable-http",
        "Mcp-Method (and Mcp-Name where needed) must be present and match the body, else 400 with -32020",
        transport="http",
    ),
    _rule(
        "HTTP-M04",
        "MUST",
        "V5",
        "basic/transports/streamable-http",
        "Base64-encoded Mcp-Name/Mcp-Param values are decoded; header names are case-insensitive",
        transport="http",
    ),
    _rule(
        "HTTP-M05",
        "MUST",
        "V5",
        "basic/transports/streamable-http",
        "Arguments marked x-mcp-header must be mirrored in matching Mcp-Param headers, else 400 with -32020",
        transport="http",
        reason="runs only when a tool marks an argument with x-mcp-header",
    ),
    _rule(
        "HTTP-M06",
        "MUST",
        "V5",
        "basic/transports/streamable-http",
        "HTTP status codes match the JSON-RPC error: 404/-32601, 400/-32022, 400/-32602, 400/-32021",
        transport="http",
    ),
    _rule(
        "HTTP-V1-01",
        "MUST",
        "V1",
        "basic/transports",
        "The V1 HTTP+SSE stream opens with an endpoint event and carries messages as message events",
        transport="http",
    ),
    # ---------------------------------------------------------------- STDIO
    _rule(
        "STDIO-01",
        "MUST",
        "all",
        "basic/transports",
        "One JSON-RPC message per line on stdout, no embedded newlines",
        transport="stdio",
        note="a \\r\\n line ending is WARN",
    ),
    _rule(
        "STDIO-02",
        "MUST",
        "all",
        "basic/transports",
        "stdout carries nothing but MCP messages (no banners, prints or progress bars)",
        transport="stdio",
    ),
    _rule(
        "STDIO-03",
        "MAY",
        "all",
        "basic/transports",
        "The server may log anything to stderr; stderr is captured, never judged",
        transport="stdio",
        testable=False,
        reason="a permission for the server; binds the harness (never fail on stderr output)",
    ),
    _rule(
        "STDIO-04",
        "MUST",
        "all",
        "basic/transports",
        "Messages are UTF-8 and non-ASCII text survives a round trip",
        transport="stdio",
    ),
    _rule(
        "STDIO-05",
        "SHOULD",
        "all",
        "basic/transports",
        "The server exits soon after stdin closes",
        transport="stdio",
        note="record whether SIGTERM or SIGKILL was needed",
    ),
    _rule(
        "STDIO-06",
        "MAY",
        "all",
        "basic/transports",
        "The server may shut down by closing stdout and exiting",
        transport="stdio",
        testable=False,
        reason="a permission; the harness only has to tell it apart from a crash (LIVE-02)",
    ),
    _rule(
        "STDIO-07",
        "MUST",
        "V5",
        "basic/transports/stdio",
        "No JSON-RPC requests on stdout; subscription notifications carry subscriptionId",
        transport="stdio",
    ),
    # ---------------------------------------------------------------- AUTH
    _rule(
        "AUTH-01",
        "MUST",
        "all",
        "basic/authorization",
        "A protected server answers a request without Authorization with 401",
        transport="http",
        by_version=_AUTH_V1,
        reason="runs only when the server is protected",
    ),
    _rule(
        "AUTH-02",
        "MUST",
        "all",
        "basic/authorization",
        "The 401 carries a Bearer challenge with resource_metadata (V3) or a discoverable PRM (V4+)",
        transport="http",
        by_version=_AUTH_V1,
        reason="runs only when the server is protected",
        note="scope parameter is SHOULD from V4; an error parameter without credentials is INFO",
    ),
    _rule(
        "AUTH-03",
        "MUST",
        "V3+",
        "basic/authorization",
        "Protected Resource Metadata is served, names this resource and lists authorization servers",
        transport="http",
        reason="runs only when the server is protected",
        note="case/slash-only resource mismatch, header-only location on V3, missing scopes_supported: WARN",
    ),
    _rule(
        "AUTH-04",
        "MUST",
        "V2",
        "basic/authorization",
        "V2 authorization server metadata is served, or the default /authorize, /token, /register exist",
        transport="http",
        reason="runs only when the server is protected",
        note="the metadata document is SHOULD; a 404 on POST /token without it FAILs",
    ),
    _rule(
        "AUTH-05",
        "MUST",
        "all",
        "basic/authorization",
        "Malformed, expired, wrongly signed, unsigned or tampered tokens get 401",
        transport="http",
        by_version=_AUTH_V1,
        reason="runs only when the server is protected; without "
        "the sandbox issuer only the non-JWT and tampered tokens can be built",
        note='error="invalid_token" is SHOULD; a token from another issuer served is WARN',
    ),
    _rule(
        "AUTH-06",
        "MUST",
        "all",
        "basic/authorization",
        "Tokens for another audience, or with no audience, get 401",
        transport="http",
        sandbox=True,
        by_version={"V1": "INFO", "V2": "SHOULD"},
        reason="runs only when the server is protected and trusts the sandbox issuer",
    ),
    _rule(
        "AUTH-07",
        "MUST",
        "all",
        "basic/authorization",
        "Insufficient scope gets 403 with an insufficient_scope challenge that allows step-up",
        transport="http",
        sandbox=True,
        by_version=_AUTH_V1,
        reason="runs only when the server enforces scopes and trusts the sandbox issuer",
        note="challenge parameters and step-up success are SHOULD/derived: WARN",
    ),
    _rule(
        "AUTH-08",
        "MUST",
        "all",
        "basic/authorization",
        "An access token in the query string is ignored (401)",
        transport="http",
        by_version=_AUTH_V1,
        reason="runs only when the server is protected",
    ),
    _rule(
        "AUTH-09",
        "MUST",
        "V1-V4",
        "basic/authorization",
        "A session id is not a credential: in-session requests without a valid token get 401",
        transport="http",
        by_version=_AUTH_V1,
        reason="runs only when the server is protected and uses sessions",
        note="a token of another subject served in the session is WARN",
    ),
    _rule(
        "AUTH-10",
        "MUST",
        "all",
        "basic/authorization",
        "The client's token is never passed through to upstream services",
        transport="http",
        sandbox=True,
        by_version={"V1": "INFO", "V2": "SHOULD"},
        reason="needs the sandbox's recording upstreams; no upstream traffic means not verified",
    ),
    _rule(
        "AUTH-11",
        "INFO",
        "V2+",
        "basic/authorization",
        "A stdio server takes credentials from its environment: no in-band token, no browser prompt",
        transport="stdio",
        sandbox=True,
    ),
    # ---------------------------------------------------------------- harness-own
    _rule(
        "LIVE-01",
        "MUST",
        "all",
        "basic/index",
        "Every request gets a response within the harness timeout",
        note="derived, but spec-rules reports it as FAIL",
    ),
    _rule(
        "LIVE-02",
        "MUST",
        "all",
        "basic/lifecycle",
        "The server stays alive for the whole session whatever it is sent",
        note="a server that never starts is not verified (HARN-03)",
    ),
    _rule(
        "SEC-01",
        "MUST",
        "all",
        "",
        "No output leaks a secret from the server's environment or a planted sandbox canary",
        note="canaries need the sandbox; environment secrets do not",
    ),
    _rule(
        "SEC-02",
        "SHOULD",
        "all",
        "",
        "Error messages carry no stack traces, connection strings or absolute host paths",
    ),
    _rule(
        "SIDE-01", "MUST", "all", "server/tools", "A readOnlyHint tool changes no backend state", sandbox=True
    ),
    _rule(
        "SIDE-02",
        "MUST",
        "all",
        "",
        "List, read, get, complete, ping, setLevel and discover calls change no backend state",
        sandbox=True,
    ),
    _rule(
        "SIDE-03",
        "MUST",
        "all",
        "server/tools",
        "A destructiveHint:false tool only adds: no update, delete, truncate, drop or issue edits",
        sandbox=True,
    ),
    _rule(
        "SIDE-04",
        "SHOULD",
        "all",
        "server/tools",
        "An idempotentHint tool called twice with the same arguments leaves the same state as once",
        sandbox=True,
    ),
)

RULES: dict[str, Rule] = {r.id: r for r in _CATALOGUE}
"""Every rule, keyed by id, in the order of spec-rules.md."""

if len(RULES) != len(_CATALOGUE):  # pragma: no cover - guards edits to the table
    raise RuntimeError("duplicate rule id in the catalogue")


def get(rule_id: str) -> Rule:
    """Look a rule up by id; a miss raises ``KeyError`` naming the closest ids."""
    try:
        return RULES[rule_id]
    except KeyError:
        pass
    upper = rule_id.strip().upper()
    if upper in RULES:
        return RULES[upper]
    close = difflib.get_close_matches(upper, RULES, n=5, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"unknown rule id {rule_id!r}{hint}")


def level_at(rule_id: str, version: str, transport: str | None = None) -> str:
    """The level of ``rule_id`` at ``version`` (and ``transport``, when it matters).

    Raises ``ValueError`` when the rule does not apply to that version: asking
    is a bug in the caller, and a silent default would hide it.
    """
    rule = get(rule_id)
    v = normalize(version)
    if v not in rule.versions:
        raise ValueError(f"{rule.id} does not apply to {v} (applies to {', '.join(rule.versions)})")
    if transport and v in rule.level_by_transport.get(transport, {}):
        return rule.level_by_transport[transport][v]
    return rule.level_by_version.get(v, rule.level)


def severity_for(rule_id: str, version: str, transport: str | None = None) -> str:
    """The verdict a broken rule gets: ``"fail"``, ``"warn"`` or ``"info"``.

    MUST -> fail, SHOULD -> warn, MAY/INFO -> info, then capped by the rule's
    ``max_severity`` (LIFE-08 is MUST at V3 but spec-rules reports it as WARN).
    """
    rule = get(rule_id)
    severity = _SEVERITY_OF_LEVEL[level_at(rule_id, version, transport)]
    if _SEVERITY_RANK[severity] > _SEVERITY_RANK[rule.max_severity]:
        return rule.max_severity
    return severity


def rules_for_version(version: str, transport: str | None = None) -> list[Rule]:
    """The rules in force at ``version`` (and on ``transport`` when given), in catalogue order."""
    v = normalize(version)
    return [r for r in RULES.values() if r.applies_to(v, transport)]


def families() -> list[str]:
    """The family prefixes in catalogue order."""
    return list(dict.fromkeys(r.family for r in RULES.values()))


def stronger(a: str, b: str) -> str:
    """The stronger of two levels (MUST > SHOULD > MAY > INFO)."""
    return a if _LEVEL_RANK[a] >= _LEVEL_RANK[b] else b


def _self_check() -> None:
    """Fail at import on an inconsistent table, so a typo never reaches a report."""
    for r in RULES.values():
        problems = []
        if r.level not in LEVELS:
            problems.append(f"level {r.level!r}")
        if r.transport not in TRANSPORTS:
            problems.append(f"transport {r.transport!r}")
        if r.max_severity not in SEVERITIES:
            problems.append(f"max_severity {r.max_severity!r}")
        if not r.versions or any(v not in ALL_VERSIONS for v in r.versions):
            problems.append("versions")
        overrides = [r.level_by_version, *r.level_by_transport.values()]
        for mapping in overrides:
            for v, lvl in mapping.items():
                if v not in r.versions or lvl not in LEVELS or stronger(lvl, r.level) != r.level:
                    problems.append(f"override {v}={lvl}")
        if not r.testable and not r.reason:
            problems.append("untestable without a reason")
        if problems:
            raise RuntimeError(f"rule {r.id}: bad {', '.join(problems)}")


_self_check()
