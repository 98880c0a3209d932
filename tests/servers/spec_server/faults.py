"""The fault registry: every switch that makes the spec server break one rule.

Why a registry and not ad-hoc flags: the harness's own tests ("proof that a check
can fail", DESIGN.md) iterate over it, start the server with one fault, and assert
the suite reports exactly `rule` with `verdict`. So every entry must break exactly
one rule of spec-rules.md, at the listed versions and transports only, and the code
must consult the fault only there (`Faults.on(name, version)`).

`hostile` marks faults that attack the harness itself (floods, hangs, garbage);
their `rule` is the verdict the harness should reach (for HARN-03: "not verified").
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .versions import ALL, LEGACY, MODERN, V1, V2, V3, V4, V5, from_

BOTH: tuple[str, ...] = ("stdio", "http")
STDIO: tuple[str, ...] = ("stdio",)
HTTP: tuple[str, ...] = ("http",)


@dataclass(frozen=True)
class Fault:
    """One switch. `rule` is the spec-rules.md id it breaks, `verdict` fail|warn.

    `also`: rules the same slip breaks as well, reported beside `rule` (a server that
    exits on a probe breaks the probe's rule and LIVE-02: one slip, both true).
    """

    name: str
    rule: str
    verdict: str
    transports: tuple[str, ...]
    versions: tuple[str, ...]
    description: str
    hostile: bool = False
    also: tuple[str, ...] = ()

    def as_json(self) -> dict:
        data = asdict(self)
        data["transports"] = list(self.transports)
        data["versions"] = list(self.versions)
        data["also"] = list(self.also)
        return data


def _rule_of(name: str) -> str:
    """`RPC-02-id-as-string` -> `RPC-02`, `HTTP-L01-get-404` -> `HTTP-L01`."""
    family, number = name.split("-")[:2]
    return f"{family}-{number}"


_ENTRIES: list[Fault] = []


def _add(
    name: str,
    verdict: str,
    versions: Iterable[str],
    transports: tuple[str, ...],
    description: str,
    *,
    rule: str | None = None,
    hostile: bool = False,
    also: tuple[str, ...] = (),
) -> None:
    _ENTRIES.append(
        Fault(
            name,
            rule or _rule_of(name),
            verdict,
            tuple(transports),
            tuple(versions),
            description,
            hostile,
            also,
        )
    )


# --- JSON-RPC base -------------------------------------------------------------------------------
_add("RPC-01-no-jsonrpc-field", "fail", ALL, BOTH, 'Responses omit the "jsonrpc":"2.0" member.')
_add("RPC-02-id-as-string", "fail", ALL, BOTH, 'Integer request ids are echoed as strings (7 -> "7").')
_add(
    "RPC-03-result-and-error",
    "fail",
    ALL,
    BOTH,
    'Error responses to unknown methods also carry "result": {} (both members).',
)
_add("RPC-03-result-not-object", "fail", LEGACY, BOTH, "`ping` answers with result `true` instead of {}.")
_add("RPC-04-no-error-message", "fail", ALL, BOTH, "Error objects lack the required string `message`.")
_add(
    "RPC-05-answer-notifications",
    "fail",
    ALL,
    BOTH,
    "Unknown notifications get a -32601 error reply (id null).",
)
_add(
    "RPC-05-answer-unknown-cancel",
    "fail",
    ALL,
    BOTH,
    "notifications/cancelled naming an unknown request id gets a -32602 error reply (id null).",
)
_add("RPC-07-accept-null-id", "warn", ALL, BOTH, 'A request with `"id": null` is processed normally.')
_add("RPC-08-silent-on-parse-error", "fail", ALL, BOTH, "Invalid JSON gets no reply at all (HTTP: 202).")
_add("RPC-08-wrong-code", "warn", ALL, BOTH, "Invalid JSON gets -32600 instead of -32700.")
_add(
    "RPC-08-exit-on-parse-error",
    "fail",
    ALL,
    STDIO,
    "The process exits (code 3) on a line that is not JSON: no -32700, and it is gone.",
    also=("LIVE-02",),
)
_add(
    "RPC-09-accept-invalid",
    "fail",
    ALL,
    BOTH,
    '`jsonrpc` other than "2.0" is processed normally; a request with no method gets result {}.',
)
_add("RPC-09-wrong-code", "warn", ALL, BOTH, "Structurally invalid requests get -32603 instead of -32600.")
_add("RPC-10-unknown-method-result", "fail", ALL, BOTH, "Unknown methods get result {} instead of -32601.")
_add("RPC-10-wrong-code", "warn", ALL, BOTH, "Unknown methods get -32600 instead of -32601.")
_add(
    "RPC-11-wrong-code",
    "warn",
    ALL,
    BOTH,
    "Malformed tools/call params (params not an object, name missing or not a string) get -32603.",
)
_add(
    "RPC-11-accept-bad-params",
    "fail",
    ALL,
    BOTH,
    "Malformed tools/call params get a successful empty CallToolResult instead of -32602.",
)
_add("RPC-12-reject-batch-v2", "fail", (V2,), BOTH, "2025-03-26 batches are rejected with -32600.")
_add(
    "RPC-12-accept-batch-v3",
    "warn",
    from_(V3),
    STDIO,
    "Batches are processed (array reply) on 2025-06-18+ over stdio (derived rule: WARN).",
)
_add(
    "RPC-12-accept-batch-v3-http",
    "fail",
    from_(V3),
    HTTP,
    "Batches are processed (200, array reply) on 2025-06-18+ over HTTP.",
)
_add(
    "RPC-13-no-result-type",
    "fail",
    MODERN,
    BOTH,
    "Modern results omit `resultType` (every method except server/discover, kept for era detection).",
)
_add(
    "RPC-13-input-required-on-list",
    "fail",
    MODERN,
    BOTH,
    'tools/list results say resultType "input_required".',
)
_add(
    "RPC-14-bad-meta-key",
    "fail",
    from_(V3),
    BOTH,
    'tools/call results carry `_meta` with the key "-bad key-" (breaks the key grammar).',
)

# --- legacy lifecycle ----------------------------------------------------------------------------
_add(
    "RPC-06-null-request-id",
    "fail",
    LEGACY,
    BOTH,
    "After initialized, a client that declared roots gets a roots/list request with id null.",
)
_add("LIFE-01-no-server-info", "fail", LEGACY, BOTH, "InitializeResult lacks `serverInfo`.")
_add(
    "LIFE-02-ignore-requested-version",
    "fail",
    LEGACY,
    BOTH,
    "When the client declares any capability, initialize answers the newest legacy version, "
    "whatever was requested.",
)
_add(
    "LIFE-03-error-on-unknown-version",
    "warn",
    LEGACY,
    BOTH,
    "An unknown requested version gets -32602 with data.supported/requested instead of a counter-offer.",
)
_add(
    "LIFE-03-echo-unknown-version",
    "fail",
    LEGACY,
    BOTH,
    "An unknown requested version is echoed back as if supported.",
)
_add(
    "LIFE-04-hang-without-version",
    "fail",
    LEGACY,
    BOTH,
    "initialize without protocolVersion is never answered.",
)
_add(
    "LIFE-05-answer-initialized",
    "fail",
    LEGACY,
    BOTH,
    "notifications/initialized gets a reply ({} with id null).",
)
_add(
    "LIFE-06-request-before-initialized",
    "warn",
    LEGACY,
    STDIO,
    "Right after the InitializeResult (before notifications/initialized) the server sends roots/list, "
    "but only when the client declared `roots` (so CAP-03 is not broken).",
)
_add(
    "LIFE-07-crash-before-initialize",
    "fail",
    LEGACY,
    STDIO,
    "A request (other than initialize/discover/ping) before initialize makes the process exit.",
)
_add(
    "LIFE-08-v3-fields-on-v2",
    "warn",
    (V1, V2),
    BOTH,
    "On 2024-11-05/2025-03-26 tools carry `title`/`outputSchema` and `add` returns structuredContent.",
)

# --- modern versioning ---------------------------------------------------------------------------
_add(
    "VER-01-no-meta-ok",
    "fail",
    MODERN,
    BOTH,
    "Modern requests lacking the protocolVersion/clientCapabilities `_meta` are served.",
)
_add("VER-02-wrong-code", "fail", MODERN, BOTH, "An unsupported per-request version gets -32602, not -32022.")
_add("VER-02-no-data", "fail", MODERN, BOTH, "-32022 errors carry no data.supported/data.requested.")
_add(
    "VER-03-no-discover",
    "fail",
    MODERN,
    BOTH,
    "server/discover answers -32601 (a harness that auto-detects the era will then fall back to legacy).",
)
_add("VER-03-discover-no-versions", "fail", MODERN, BOTH, "DiscoverResult lacks `supportedVersions`.")
_add(
    "VER-04-no-server-info",
    "warn",
    MODERN,
    BOTH,
    "Modern results (other than server/discover) lack _meta io.modelcontextprotocol/serverInfo.",
)
_add(
    "VER-05-require-discover",
    "fail",
    MODERN,
    BOTH,
    "Modern requests other than server/discover fail with -32600 until this process has served a discover.",
)
_add(
    "MRTR-01-empty-input-required",
    "fail",
    MODERN,
    BOTH,
    "Lists an extra tool `needs_input` whose call returns resultType input_required with neither "
    "inputRequests nor requestState.",
)
_add(
    "MRTR-02-undeclared-elicitation",
    "fail",
    MODERN,
    BOTH,
    "Lists an extra tool `needs_input` whose call returns an elicitation/create input request even when "
    "the request declared no elicitation capability.",
)
_add(
    "MRTR-03-unverified-state",
    "fail",
    MODERN,
    BOTH,
    "confirm_priority never verifies its requestState's HMAC: an altered state is accepted as genuine.",
)
_add(
    "INPUT-01-ignores-answers",
    "warn",
    MODERN,
    BOTH,
    "confirm_priority ignores the client's answers: every retry asks for the priority again, unchanged.",
)
_add(
    "INPUT-02-error-on-missing-answer",
    "warn",
    MODERN,
    BOTH,
    "confirm_priority answers a retry that lacks a requested answer with -32602 instead of asking again.",
)
_add(
    "VER-08-unprefixed-extension",
    "fail",
    MODERN,
    BOTH,
    'server/discover declares capabilities.extensions {"tasks": {}} (an extension id without a prefix).',
)
_add(
    "VER-07-server-request",
    "fail",
    MODERN,
    BOTH,
    "On modern tools/call the server sends a JSON-RPC `ping` request to the client before answering.",
)

# --- capabilities --------------------------------------------------------------------------------
_add(
    "CAP-01-undeclared-prompts",
    "warn",
    ALL,
    BOTH,
    "The `prompts` capability is not declared, yet prompts/list and prompts/get are served.",
)
_add(
    "CAP-02-undeclared-list-changed",
    "fail",
    (V3, V4),
    BOTH,
    "`tools` is declared without listChanged, yet notifications/tools/list_changed is sent after "
    "notifications/initialized.",
)
_add(
    "CAP-02-subscribe-undeclared",
    "warn",
    LEGACY,
    BOTH,
    "`resources.subscribe` is not declared, yet resources/subscribe succeeds.",
)
_add(
    "CAP-03-sampling-undeclared",
    "fail",
    LEGACY,
    STDIO,
    "Each tools/call first sends sampling/createMessage even though the client declared no sampling.",
)
_add(
    "CAP-03-roots-list-loop",
    "fail",
    LEGACY,
    STDIO,
    "After notifications/initialized, sends roots/list every 50 ms to a client that did not declare roots.",
    hostile=True,
)
_add(
    "CAP-05-reject-task-metadata",
    "fail",
    (V4,),
    BOTH,
    "tools/call carrying `task` metadata gets -32601, although `tasks` is not declared (so the metadata "
    "must be ignored and the call processed normally).",
)
_add(
    "CAP-04-log-without-capability",
    "fail",
    LEGACY,
    BOTH,
    "`logging` is not declared, yet every tools/call, resources/read and prompts/get emits "
    "notifications/message (info).",
)

# --- tools ---------------------------------------------------------------------------------------
_add("TOOL-01-missing-input-schema", "fail", ALL, BOTH, "The `echo` tool is listed without inputSchema.")
_add(
    "TOOL-02-invalid-schema",
    "fail",
    (V4, V5),
    BOTH,
    'The `echo` inputSchema has `"type": 5` on a property (not a valid JSON Schema).',
)
_add(
    "TOOL-03-structured-mismatch",
    "fail",
    from_(V3),
    BOTH,
    '`add` returns structuredContent {"sum": "<string>"} against an integer outputSchema '
    "(the text copy matches it, so TOOL-04 holds).",
)
_add(
    "TOOL-03-missing-structured",
    "fail",
    from_(V3),
    BOTH,
    "`add` declares outputSchema but returns no structuredContent (text block only).",
)
_add(
    "TOOL-04-no-text-copy",
    "warn",
    from_(V3),
    BOTH,
    "`add` returns structuredContent but its text block is prose, not the JSON.",
)
_add(
    "TOOL-05-unknown-tool-as-result",
    "fail",
    ALL,
    BOTH,
    "An unknown tool gets an isError result instead of a JSON-RPC error.",
)
_add("TOOL-05-wrong-code", "warn", ALL, BOTH, "An unknown tool gets -32603 instead of -32602.")
_add(
    "TOOL-06-success-on-bad-args",
    "fail",
    ALL,
    BOTH,
    "Missing or scalar wrong-typed arguments are coerced and the call succeeds (extra keys, null and "
    "nested values are still refused: those are TOOL-14's).",
)
_add(
    "TOOL-06-protocol-error-v4",
    "warn",
    (V4,),
    BOTH,
    "On 2025-11-25 invalid arguments get -32602 instead of an isError result.",
)
_add("TOOL-07-error-without-content", "fail", ALL, BOTH, "The `fail` tool returns isError without `content`.")
_add(
    "TOOL-08-bad-annotation-type",
    "fail",
    from_(V2),
    BOTH,
    '`annotated_read` has annotations {"readOnlyHint": "yes"} (a string).',
)
_add("TOOL-09-bad-name", "warn", (V4, V5), BOTH, 'An extra tool named "bad name, with spaces" is listed.')
_add("TOOL-09-duplicate-name", "warn", (V4, V5), BOTH, "The `echo` tool is listed twice.")
_add(
    "TOOL-11-list-varies",
    "fail",
    MODERN,
    BOTH,
    "After any tools/call, tools/list also returns an extra tool `late_tool`.",
)
_add("TOOL-12-bad-base64", "fail", ALL, BOTH, "The `image` tool returns data that is not base64.")
_add("TOOL-12-no-mime-type", "fail", ALL, BOTH, "The `image` tool's image block lacks mimeType.")
_add(
    "TOOL-13-embedded-without-resources",
    "warn",
    from_(V3),
    BOTH,
    "The `resources` capability is not declared (resources/* answer -32601), yet the `image` tool also "
    "returns an embedded `resource` block.",
)
_add(
    "TOOL-14-ignore-extra-keys",
    "fail",
    ALL,
    BOTH,
    "Unexpected argument keys are dropped instead of refused, although every inputSchema says "
    "additionalProperties: false.",
)
_add(
    "TOOL-15-bad-x-mcp-header",
    "fail",
    MODERN,
    BOTH,
    'The `slow` tool\'s `seconds` property (type number) carries x-mcp-header "Seconds" (only string, '
    "integer and boolean properties may).",
)

# --- resources -----------------------------------------------------------------------------------
_add("RES-01-missing-name", "fail", ALL, BOTH, "resources/list items lack `name`.")
_add(
    "RES-02-both-text-and-blob",
    "fail",
    ALL,
    BOTH,
    "Reading the blob resource returns both `text` and `blob`.",
)
_add("RES-02-bad-blob-base64", "fail", ALL, BOTH, "The blob resource's `blob` is not base64.")
_add(
    "RES-03-empty-contents",
    "warn",
    LEGACY,
    BOTH,
    "An unknown resource URI gets {contents: []} instead of -32002.",
)
_add("RES-03-wrong-code", "warn", LEGACY, BOTH, "An unknown resource URI gets -32603 instead of -32002.")
_add("RES-03-v5-legacy-code", "fail", MODERN, BOTH, "On 2026-07-28 an unknown resource gets -32002.")
_add(
    "RES-03-v5-empty-contents", "fail", MODERN, BOTH, "On 2026-07-28 an unknown resource gets {contents: []}."
)
_add(
    "RES-04-path-traversal",
    "fail",
    ALL,
    BOTH,
    'file:// URIs with `..` are "resolved": returns passwd-like text (a fixed fake, never the real file).',
)
_add(
    "RES-07-bad-last-modified",
    "warn",
    from_(V3),
    BOTH,
    'A listed resource has annotations.lastModified "last tuesday" (not ISO 8601; a SHOULD in the schema). '
    "An out-of-range priority would also fail the ListResourcesResult schema, reported under RES-01.",
)
_add(
    "RES-07-bad-priority", "fail", ALL, BOTH, "A listed resource has annotations.priority 5 (outside [0,1])."
)
_add("RES-08-bad-uri", "fail", ALL, BOTH, 'A listed resource has the uri "not a uri" (fails RFC 3986).')
_add(
    "RES-05-subscribe-error",
    "fail",
    LEGACY,
    BOTH,
    "`resources.subscribe` is declared but resources/subscribe answers -32603.",
)

# --- prompts -------------------------------------------------------------------------------------
_add("PROMPT-01-argument-without-name", "fail", ALL, BOTH, "greet's argument entry lacks `name`.")
_add("PROMPT-02-bad-role", "fail", ALL, BOTH, 'prompts/get greet returns a message with role "system".')
_add("PROMPT-03-missing-arg-ok", "warn", ALL, BOTH, "greet without its required `name` succeeds.")
_add("PROMPT-03-unknown-prompt-ok", "warn", ALL, BOTH, "An unknown prompt name gets an empty messages list.")

# --- logging -------------------------------------------------------------------------------------
_add("LOG-01-bogus-level-ok", "warn", LEGACY, BOTH, "logging/setLevel with an unknown level returns {}.")
_add(
    "LOG-01-ignore-level",
    "warn",
    LEGACY,
    BOTH,
    "After logging/setLevel, tools/call, resources/read and prompts/get still log at debug and info "
    "whatever the level.",
)
_add(
    "LOG-02-bad-level-name",
    "fail",
    ALL,
    BOTH,
    'Log notifications use the level "verbose" (not a syslog name); emitted when logging is asked for.',
)
_add(
    "LOG-03-log-without-loglevel",
    "fail",
    MODERN,
    BOTH,
    "Modern tools/call, resources/read and prompts/get emit notifications/message (info) although the "
    "request has no logLevel.",
)

_add(
    "LOG-03-bogus-level-ok",
    "warn",
    MODERN,
    BOTH,
    "A modern request whose _meta logLevel is not a syslog level name is served (as if no logLevel).",
)

# --- completion ----------------------------------------------------------------------------------
_add(
    "COMP-01-undeclared-completions",
    "fail",
    from_(V2),
    BOTH,
    "The `completions` capability is not declared, yet completion/complete is served.",
)
_add(
    "COMP-01-declared-not-served",
    "fail",
    from_(V2),
    BOTH,
    "The `completions` capability is declared, yet completion/complete gets -32601 (method not found).",
)
_add("COMP-02-too-many-values", "fail", ALL, BOTH, "completion/complete returns 150 values.")
_add(
    "COMP-03-unknown-ref-ok",
    "warn",
    ALL,
    BOTH,
    "completion/complete for an unknown prompt returns an empty completion.",
)

# --- pagination ----------------------------------------------------------------------------------
_add(
    "PAGE-01-cursor-loop",
    "fail",
    ALL,
    BOTH,
    "The second page of every list points back to the first page (an endless loop).",
)
_add(
    "PAGE-01-duplicate-items",
    "warn",
    ALL,
    BOTH,
    "Every page after the first repeats the previous page's last item.",
)
_add("PAGE-02-garbage-cursor-page-one", "warn", ALL, BOTH, "A garbage cursor returns page one.")
_add(
    "PAGE-03-unstable-cursor",
    "warn",
    ALL,
    BOTH,
    "Re-sending a cursor returns a different page (every second use of a cursor is off by one item).",
)

# --- caching (V5) --------------------------------------------------------------------------------
_add("CACHE-01-no-ttl", "fail", MODERN, BOTH, "Cacheable results (discover, lists, read) omit ttlMs.")
_add("CACHE-01-bad-scope", "fail", MODERN, BOTH, 'Cacheable results say cacheScope "everyone".')
_add(
    "CACHE-02-mixed-scope",
    "fail",
    MODERN,
    BOTH,
    'The first page of a paginated list is "public", later pages "private".',
)

# --- cancellation / progress / ping --------------------------------------------------------------
_add("CANC-01-answer-cancelled", "warn", ALL, BOTH, "A cancelled `slow` call still gets its response.")
_add(
    "CANC-02-loose-cancel",
    "warn",
    ALL,
    BOTH,
    "notifications/cancelled matches in-flight requests by the id's text: "
    'a cancel naming "7" stops request 7.',
)
_add(
    "CANC-04-server-cancel",
    "fail",
    MODERN,
    BOTH,
    'Modern tools/call first sends notifications/cancelled (requestId "spec-server-timeout") to the client.',
)
_add(
    "CANC-01-v5-progress-after-cancel",
    "fail",
    MODERN,
    STDIO,
    "On 2026-07-28 a cancelled `slow` call keeps sending progress (but no response).",
)
_add(
    "PROG-01-token-type-changed",
    "warn",
    ALL,
    BOTH,
    'Progress tokens are echoed as strings (7 -> "7"; the type match is derived, so WARN).',
)
_add(
    "PROG-01-unsolicited-token",
    "fail",
    ALL,
    BOTH,
    '`slow` without a progressToken still sends progress, with token "phantom-token".',
)
_add("PROG-02-progress-decreases", "fail", ALL, BOTH, "`slow` progress counts down instead of up.")
_add(
    "PROG-03-progress-after-response",
    "fail",
    ALL,
    BOTH,
    "`slow` sends one more progress notification after its response.",
)
_add("PING-01-slow-ping", "warn", LEGACY, BOTH, "`ping` answers after 2 s.")

# --- stdio ---------------------------------------------------------------------------------------
_add("STDIO-01-pretty-print", "fail", ALL, STDIO, "Messages are pretty-printed over several lines.")
_add("STDIO-01-crlf", "warn", ALL, STDIO, "Lines end with \\r\\n.")
_add("STDIO-02-banner", "fail", ALL, STDIO, "A start-up banner line is printed to stdout.")
_add("STDIO-02-debug-print", "fail", ALL, STDIO, "Every tools/call prints a debug line to stdout first.")
_add(
    "STDIO-02-binary-garbage",
    "fail",
    ALL,
    STDIO,
    "Writes 4 KiB of random binary bytes to stdout at start-up.",
    hostile=True,
)
_add("STDIO-02-flood", "fail", ALL, STDIO, "Writes 100 MB of junk to stdout at start-up.", hostile=True)
_add("STDIO-04-latin1", "fail", ALL, STDIO, "Output is encoded as Latin-1 (non-ASCII text breaks UTF-8).")
_add("STDIO-05-ignore-stdin-close", "warn", ALL, STDIO, "Keeps running after stdin closes (until signalled).")

# --- liveness and hostile behaviour --------------------------------------------------------------
_add("LIVE-01-hang-on-tools-call", "fail", ALL, BOTH, "A well-formed tools/call is never answered.")
_add(
    "LIVE-01-never-answer",
    "fail",
    ALL,
    BOTH,
    "Reads everything, answers nothing, not even initialize or server/discover: the harness must say "
    "'not verified'.",
    rule="HARN-03",
    hostile=True,
)
_add(
    "LIVE-01-ignore-sigterm-and-hang",
    "fail",
    ALL,
    STDIO,
    "Ignores SIGTERM and stdin close; tools/call is never answered. Only SIGKILL ends it.",
    hostile=True,
)
_add(
    "LIVE-02-exit-on-unknown-method",
    "fail",
    ALL,
    STDIO,
    "The process exits (code 3) on an unknown method.",
    also=("RPC-10",),  # the unknown method got no -32601: it killed the server (class 3)
)
_add(
    "LIVE-02-close-stdout",
    "fail",
    ALL,
    STDIO,
    "Closes stdout after its first response (initialize/discover) but keeps running.",
    hostile=True,
)
_add(
    "HARN-03-exit-at-once",
    "fail",
    ALL,
    STDIO,
    "Exits with code 1 before reading anything: the harness must say 'not verified'.",
    hostile=True,
)
_add("RPC-02-duplicate-ids", "fail", ALL, BOTH, "Every response is sent twice.", hostile=True)
_add(
    "RPC-02-phantom-response",
    "fail",
    ALL,
    STDIO,
    "After each response, also sends a response for an id that was never used.",
    hostile=True,
)
_add(
    "RPC-01-deep-nesting",
    "fail",
    ALL,
    BOTH,
    "echo results carry _meta with 100,000 nested arrays.",
    hostile=True,
)

# --- security ------------------------------------------------------------------------------------
_add(
    "SEC-01-leak-secret",
    "fail",
    ALL,
    BOTH,
    "The `fail` tool's error text includes the values of environment variables named like "
    "*TOKEN*/*SECRET*/*PASSWORD*/*KEY*.",
)
_add(
    "SEC-02-stack-trace",
    "warn",
    ALL,
    BOTH,
    "The unknown-tool error message includes a Python traceback with absolute file paths.",
)

# --- Streamable HTTP -----------------------------------------------------------------------------
_add("HTTP-01-no-origin-check", "fail", from_(V2), HTTP, "A foreign Origin header is accepted.")
_add(
    "HTTP-03-notification-200", "fail", from_(V2), HTTP, "Notifications get 200 (empty body) instead of 202."
)
_add("HTTP-03-notification-body", "fail", from_(V2), HTTP, "Notifications get 202 with a `{}` body.")
_add("HTTP-04-text-plain", "fail", from_(V2), HTTP, "JSON responses are labelled text/plain.")
_add("HTTP-L01-get-404", "fail", (V2, V3, V4), HTTP, "GET on the endpoint gets 404 instead of 405.")
_add(
    "HTTP-L02-response-on-get",
    "fail",
    (V2, V3, V4),
    HTTP,
    "GET on the endpoint opens an SSE stream that carries a JSON-RPC response, then ends.",
)
_add(
    "HTTP-06-sse-without-accel-buffering",
    "warn",
    MODERN,
    HTTP,
    "Modern results are sent as SSE streams without the X-Accel-Buffering: no header.",
)
_add(
    "HTTP-L04-bad-session-chars",
    "fail",
    (V2, V3, V4),
    HTTP,
    "Session ids contain a space (outside visible ASCII 0x21-0x7E).",
)
_add(
    "HTTP-L05-no-session-ok",
    "warn",
    (V2, V3, V4),
    HTTP,
    "A non-initialize request without Mcp-Session-Id is served (as a fresh, initialized session).",
)
_add(
    "HTTP-L06-unknown-session-400",
    "warn",
    (V2, V3, V4),
    HTTP,
    "A session id that was never issued gets 400 instead of 404 (ended sessions still get 404).",
)
_add(
    "HTTP-L06-ended-session-alive",
    "fail",
    (V2, V3, V4),
    HTTP,
    "DELETE answers 200 but the session keeps working.",
)
_add(
    "HTTP-L08-ignore-version-header",
    "fail",
    (V3, V4),
    HTTP,
    "An invalid or unsupported MCP-Protocol-Version header after init is accepted.",
)
_add("HTTP-M01-sets-session-id", "fail", MODERN, HTTP, "Modern responses set an Mcp-Session-Id header.")
_add(
    "HTTP-M02-ignore-header-mismatch",
    "fail",
    MODERN,
    HTTP,
    "An MCP-Protocol-Version header that differs from the _meta version (or is missing) is accepted.",
)
_add("HTTP-M03-ignore-mcp-method", "fail", MODERN, HTTP, "A missing or wrong Mcp-Method header is accepted.")
_add("HTTP-M03-ignore-mcp-name", "fail", MODERN, HTTP, "A missing or wrong Mcp-Name header is accepted.")
_add(
    "HTTP-M04-no-base64-decode",
    "fail",
    MODERN,
    HTTP,
    "Mcp-Name values in =?base64?...?= form are compared undecoded (so correct ones are rejected).",
)
_add("HTTP-M06-unknown-method-200", "fail", MODERN, HTTP, "Unknown methods get 200 (with the -32601 body).")
_add(
    "HTTP-M06-missing-meta-200",
    "fail",
    MODERN,
    HTTP,
    "Requests with missing _meta get 200 (with the -32602 body).",
)

# --- client dialects (DIALECT, issue 17) ---------------------------------------------------------
# Each lists one more tool (tests/servers/spec_server/dialect_faults.py) that a major client's
# documented limits reject; valid MCP all the same. stdio only: a listing does not depend on the
# transport. Proven by tests/test_faults_dialects.py with the dialect suite alone (INFO rules
# leave the verdict "pass", so the whole-suite fault test could not see them).
_add("DIALECT-01-dotted-name", "warn", ALL, STDIO, "A tool named `admin.tools.list` (dots).")
_add("DIALECT-02-digit-first-name", "info", ALL, STDIO, "A tool named `2fa_check` (a digit first).")
_add(
    "DIALECT-03-long-name",
    "info",
    ALL,
    STDIO,
    "A 43-character tool name: with the 23-character server name, over Cursor's 60.",
)
_add("DIALECT-04-too-many-tools", "warn", ALL, STDIO, "124 more tools, 129 or more in all (OpenAI: 128).")
_add("DIALECT-05-ref-in-schema", "info", ALL, STDIO, "A tool whose inputSchema uses `$ref` into `$defs`.")
_add("DIALECT-06-type-union", "info", ALL, STDIO, 'A tool property typed `["string", "null"]`.')
_add(
    "DIALECT-07-optional-property",
    "info",
    ALL,
    STDIO,
    "A tool with an optional property (not in `required`): not OpenAI strict-mode ready.",
)
_add("DIALECT-08-deep-nesting", "info", ALL, STDIO, "A tool whose inputSchema nests 11 object levels.")

FAULTS: dict[str, Fault] = {f.name: f for f in _ENTRIES}
assert len(FAULTS) == len(_ENTRIES), "duplicate fault name"
for _f in _ENTRIES:
    assert set(_f.versions) <= set(ALL) and _f.verdict in ("fail", "warn", "info"), _f.name
assert V5 in ALL


class Faults:
    """The active set of faults for one server process."""

    def __init__(self, names: Iterable[str] = (), transport: str | None = None) -> None:
        names = [n.strip() for n in names if n and n.strip()]
        unknown = [n for n in names if n not in FAULTS]
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(unknown)} (see --list-faults)")
        self.names: frozenset[str] = frozenset(names)
        self.transport = transport

    @classmethod
    def from_env_and_args(cls, args: Iterable[str], transport: str | None = None) -> Faults:
        env = os.environ.get("SPEC_SERVER_FAULTS", "")
        return cls([*args, *env.split(",")], transport)

    def inapplicable(self) -> list[str]:
        """Requested faults that this transport never triggers (reported on stderr)."""
        return sorted(n for n in self.names if self.transport and self.transport not in FAULTS[n].transports)

    def on(self, name: str, version: str | None = None) -> bool:
        """Is `name` active here? Only on its transports and, given a version, its versions."""
        if name not in self.names:
            return False
        fault = FAULTS[name]
        if self.transport is not None and self.transport not in fault.transports:
            return False
        return version is None or version in fault.versions

    def __bool__(self) -> bool:
        return bool(self.names)
