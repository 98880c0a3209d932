"""Validation of server frames against the bundled official MCP JSON Schemas.

Why this module looks the way it does:

- Every frame the server sends is validated, so validators are compiled once per
  (version, definition) and cached; no format checking is done (the stock
  checker cannot check the formats MCP uses anyway, see spec-rules "Schema
  notes").
- Each response is validated against the definition for *its method*, never the
  ``ServerResult`` union, which contains the bare ``Result`` and so accepts
  almost anything.
- Nothing here ever touches the network. The MCP schemas only use local
  ``$ref`` fragments, and tool schemas (which come from the server under test)
  are validated with a registry that cannot retrieve: jsonschema 4.x silently
  fetches http(s) refs through ``urllib`` when no registry is given.

Public API: :func:`validate_definition`, :func:`validate_response`,
:func:`validate_notification`, :func:`validate_server_request`,
:func:`validate_incoming`, :func:`result_definition`,
:func:`result_definitions`, :func:`notification_definition`,
:func:`server_request_definition`, :func:`check_tool_schema`,
:func:`validator_for_tool_schema`.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

import jsonschema_specifications
import referencing
import referencing.exceptions
from jsonschema import Draft7Validator, Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from referencing.jsonschema import DRAFT7, DRAFT202012, specification_with

from harness.protocol.versions import ALL_VERSIONS, V1, V2, V3, normalize

try:  # optional accelerator: a yes/no answer 100x faster; errors always come from jsonschema
    import jsonschema_rs
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema_rs = None

MAX_ERRORS = 10
"""At most this many errors per validated frame: the first few say what is wrong."""

MAX_TOOL_SCHEMA_DEPTH = 64
MAX_TOOL_SCHEMA_BYTES = 1_000_000
"""DoS guards for schemas supplied by the server (V5 asks for depth and size limits)."""

UNSUPPORTED_DIALECT = "unsupported dialect"
"""Prefix of the :func:`check_tool_schema` problem that means *not verified*, not *failed* (TOOL-02)."""

PARSE_ERROR_CODES = frozenset({-32700, -32600})

_SCAN_ERRORS = 50  # errors read from the validator before sorting and cutting to MAX_ERRORS
_MESSAGE_CHARS = 200
_BASE_URI = "urn:mcp-harness:schema:"
_TOOL_BASE_URI = "urn:mcp-harness:tool-schema"

# Methods whose V5 result may be an InputRequiredResult instead (MRTR, RPC-13).
_INPUT_REQUIRED_METHODS = frozenset({"tools/call", "resources/read", "prompts/get"})

# Client->server request method -> result definition (spec-rules "Schema notes").
# Whether a method exists at a version is read from that version's ClientRequest union.
_RESULT_BY_METHOD: dict[str, str] = {
    "initialize": "InitializeResult",
    "server/discover": "DiscoverResult",
    "ping": "EmptyResult",
    "logging/setLevel": "EmptyResult",
    "resources/subscribe": "EmptyResult",
    "resources/unsubscribe": "EmptyResult",
    "tools/list": "ListToolsResult",
    "tools/call": "CallToolResult",
    "resources/list": "ListResourcesResult",
    "resources/templates/list": "ListResourceTemplatesResult",
    "resources/read": "ReadResourceResult",
    "prompts/list": "ListPromptsResult",
    "prompts/get": "GetPromptResult",
    "completion/complete": "CompleteResult",
    "subscriptions/listen": "SubscriptionsListenResult",
    "tasks/get": "GetTaskResult",
    "tasks/result": "GetTaskPayloadResult",
    "tasks/list": "ListTasksResult",
    "tasks/cancel": "CancelTaskResult",
}


@dataclass(frozen=True, order=True)
class SchemaError:
    """One schema violation, short enough for a report line.

    ``path`` is a JSON pointer into the validated frame ("" is the frame itself);
    ``definition`` is the schema definition that was applied.
    """

    path: str
    message: str
    definition: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message} ({self.definition})"


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class _Bundle:
    """One version's schema, parsed once, with what we need to compile validators."""

    version: str
    root: dict[str, Any]
    defs_key: str  # "definitions" (V1-V3) or "$defs" (V4+)
    dialect: str  # the $schema URI
    uri: str  # made-up base URI the schema is registered under
    cls: type[Validator]
    registry: referencing.Registry
    request_defs: dict[str, str]  # method -> *Request definition
    notification_defs: dict[str, str]  # method -> *Notification definition
    client_methods: frozenset[str]  # methods of the ClientRequest union

    @property
    def defs(self) -> dict[str, Any]:
        return self.root[self.defs_key]


@functools.cache
def _bundle(version: str) -> _Bundle:
    """Load and index the bundled schema of ``version`` (once per process)."""
    version = normalize(version)
    text = resources.files("harness").joinpath("schemas", version, "schema.json").read_text("utf-8")
    root = json.loads(text)
    defs_key = "$defs" if "$defs" in root else "definitions"
    dialect = root.get("$schema", "")
    cls = validators.validator_for(root, default=Draft202012Validator)
    spec = DRAFT7 if cls is Draft7Validator else DRAFT202012
    uri = _BASE_URI + version
    registry = referencing.Registry().with_resource(uri, spec.create_resource(root))
    defs = root[defs_key]
    return _Bundle(
        version=version,
        root=root,
        defs_key=defs_key,
        dialect=dialect,
        uri=uri,
        cls=cls,
        registry=registry,
        request_defs=_by_method_const(defs, "Request"),
        notification_defs=_by_method_const(defs, "Notification"),
        client_methods=frozenset(_union_methods(defs, "ClientRequest")),
    )


def _by_method_const(defs: Mapping[str, Any], suffix: str) -> dict[str, str]:
    """Map ``method`` const -> definition name for the per-method definitions.

    Unions and envelopes (``ClientNotification``, ``JSONRPCRequest``...) are left
    out: V5 even has a ``ClientNotification`` that is a plain definition with a
    method const, and it must not shadow ``CancelledNotification``.
    """
    out: dict[str, str] = {}
    for name, definition in defs.items():
        if not name.endswith(suffix) or name.startswith(("JSONRPC", "Client", "Server")):
            continue
        const = (definition.get("properties") or {}).get("method", {}).get("const")
        if isinstance(const, str):
            out.setdefault(const, name)
    return out


def _union_methods(defs: Mapping[str, Any], union: str) -> list[str]:
    """Method consts of the members of a union definition (e.g. ``ClientRequest``)."""
    members = defs.get(union, {})
    refs = [m["$ref"].rsplit("/", 1)[-1] for m in members.get("anyOf", []) if "$ref" in m]
    names = refs or ([union] if "properties" in members else [])
    methods = []
    for name in names:
        const = (defs[name].get("properties") or {}).get("method", {}).get("const")
        if isinstance(const, str):
            methods.append(const)
    return methods


def definitions_key(version: str) -> str:
    """``"definitions"`` for V1-V3, ``"$defs"`` for V4+ (read from the file, not assumed)."""
    return _bundle(version).defs_key


def dialect(version: str) -> str:
    """The ``$schema`` URI the bundled schema of ``version`` declares."""
    return _bundle(version).dialect


def definition_names(version: str) -> list[str]:
    """All definition names of ``version``'s schema, sorted."""
    return sorted(_bundle(version).defs)


@functools.cache
def _validator(version: str, name: str) -> Validator:
    """The compiled validator for one definition (cached per version and name)."""
    bundle = _bundle(version)
    if name not in bundle.defs:
        close = difflib.get_close_matches(name, bundle.defs, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"{bundle.version} schema has no definition {name!r}{hint}")
    ref = {"$ref": f"{bundle.uri}#/{bundle.defs_key}/{name}"}
    return bundle.cls(ref, registry=bundle.registry)


_engine_choice = os.environ.get("MCP_HARNESS_SCHEMA_ENGINE", "auto")


def engine() -> str:
    """Which library decides validity: ``"jsonschema-rs"`` (fast path) or ``"jsonschema"``.

    The fast path only answers "valid?"; every error message still comes from
    jsonschema, so reports are identical whichever engine runs. Set
    ``MCP_HARNESS_SCHEMA_ENGINE=python`` (read at import; `set_engine` later)
    to force the pure-Python path. Not read per call: an environment lookup
    cost a tenth of a round trip.
    """
    if jsonschema_rs is None or _engine_choice == "python":
        return "jsonschema"
    return "jsonschema-rs"


def set_engine(choice: str) -> None:
    """``"python"`` or ``"auto"``, as MCP_HARNESS_SCHEMA_ENGINE would (tests and benchmarks)."""
    global _engine_choice
    if choice not in ("python", "auto"):
        raise ValueError(f"unknown schema engine {choice!r}; use python or auto")
    _engine_choice = choice


@functools.cache
def _fast_validator(version: str, name: str, active_engine: str) -> Any:
    """A jsonschema-rs validator for one definition, or None when unavailable.

    Built offline (no retrieval) with format validation off, like the
    pure-Python validators, so both answer the same question.
    """
    if active_engine != "jsonschema-rs" or jsonschema_rs is None:
        return None
    bundle = _bundle(version)
    document = {**bundle.root, "$ref": f"#/{bundle.defs_key}/{name}"}
    cls = (
        jsonschema_rs.Draft7Validator if bundle.cls is Draft7Validator else jsonschema_rs.Draft202012Validator
    )
    try:
        return cls(document, validate_formats=False, offline=True)
    except Exception:  # pragma: no cover - an accelerator must never break validation
        return None


def _fast_says_valid(version: str, name: str, instance: Any) -> bool:
    """True only when the fast engine is present and sure ``instance`` is valid."""
    fast = _fast_validator(version, name, engine())
    if fast is None:
        return False
    try:
        return bool(fast.is_valid(instance))
    except Exception:  # values jsonschema-rs cannot convert (huge ints, non-JSON types): ask jsonschema
        return False


# --------------------------------------------------------------------------- method mappings


def result_definitions(version: str, method: str) -> tuple[str, ...]:
    """Every result definition a response to ``method`` may match, primary first.

    V5 ``tools/call``/``resources/read``/``prompts/get`` may return an
    ``InputRequiredResult``; a V4 ``tools/call`` made as a task returns a
    ``CreateTaskResult``. Empty when ``method`` is not a client request of
    ``version``.
    """
    bundle = _bundle(version)
    if method not in bundle.client_methods:
        return ()
    names = [_RESULT_BY_METHOD[method]]
    if method in _INPUT_REQUIRED_METHODS and "InputRequiredResult" in bundle.defs:
        names.append("InputRequiredResult")
    if method == "tools/call" and "CreateTaskResult" in bundle.defs:
        names.append("CreateTaskResult")
    return tuple(names)


def result_definition(version: str, method: str) -> str | None:
    """The result definition for ``method`` at ``version`` (the primary one), or None if unknown there."""
    names = result_definitions(version, method)
    return names[0] if names else None


def notification_definition(version: str, method: str) -> str | None:
    """The ``*Notification`` definition whose ``method`` const is ``method``, if any."""
    return _bundle(version).notification_defs.get(method)


def server_request_definition(version: str, method: str) -> str | None:
    """The ``*Request`` definition for a server->client request method (``ping``, ``roots/list``...)."""
    return _bundle(version).request_defs.get(method)


def client_methods(version: str) -> frozenset[str]:
    """Request methods a client may send at ``version`` (from the ``ClientRequest`` union)."""
    return _bundle(version).client_methods


def server_request_methods(version: str) -> list[str]:
    """Request methods a server may send at ``version`` (the ``ServerRequest`` union; none on V5)."""
    return _union_methods(_bundle(version).defs, "ServerRequest")


def server_notification_methods(version: str) -> list[str]:
    """Notification methods a server may send at ``version`` (the ``ServerNotification`` union)."""
    return _union_methods(_bundle(version).defs, "ServerNotification")


def _error_envelope(version: str) -> str:
    return "JSONRPCError" if normalize(version) in (V1, V2, V3) else "JSONRPCErrorResponse"


def _result_envelope(version: str) -> str:
    return "JSONRPCResponse" if normalize(version) in (V1, V2, V3) else "JSONRPCResultResponse"


# --------------------------------------------------------------------------- validation


def validate_definition(version: str, name: str, instance: Any, *, prefix: str = "") -> list[SchemaError]:
    """Validate ``instance`` against definition ``name`` of ``version``'s schema.

    Returns at most :data:`MAX_ERRORS` errors, sorted by path. ``prefix`` is
    prepended to every path (used to report a result's errors under ``/result``).
    Raises ``KeyError`` for an unknown definition name.
    """
    version = normalize(version)
    validator = _validator(version, name)  # first: raises KeyError for unknown names
    if _fast_says_valid(version, name, instance):
        return []
    raw = list(islice(validator.iter_errors(instance), _SCAN_ERRORS))
    if not raw:
        return []
    found = {SchemaError(prefix + path, message, name) for path, message in _flatten(raw)}
    return sorted(found)[:MAX_ERRORS]


def is_parse_error_reply(message: Any) -> bool:
    """True for a -32700/-32600 error reply with a null or absent id (RPC-08: not schema-validated)."""
    if not isinstance(message, dict) or "result" in message:
        return False
    error = message.get("error")
    return (
        isinstance(error, dict)
        and error.get("code") in PARSE_ERROR_CODES
        and not isinstance(error.get("code"), bool)
        and message.get("id") is None
    )


def validate_response(version: str, request_method: str | None, message: Any) -> list[SchemaError]:
    """Validate a whole response frame to a request for ``request_method``.

    An error frame is checked against the error envelope of the version; a result
    frame against the result envelope *and* the method's result definition (a
    method unknown at this version only gets the generic ``Result``). Parse-error
    and invalid-request replies without a usable id are skipped (RPC-08).
    """
    if is_parse_error_reply(message):
        return []
    if isinstance(message, dict) and "error" in message:
        return validate_definition(version, _error_envelope(version), message)
    errors = validate_definition(version, _result_envelope(version), message)
    if not (isinstance(message, dict) and "result" in message):
        return errors
    result = message["result"]
    name = _pick_result_definition(version, request_method, result)
    # The envelope checks the result against the generic Result, which every
    # specific definition includes: keep only the specific, better-named errors.
    envelope_only = [e for e in errors if not (e.path == "/result" or e.path.startswith("/result/"))]
    return _merge(envelope_only, validate_definition(version, name, result, prefix="/result"))


def _pick_result_definition(version: str, method: str | None, result: Any) -> str:
    """Choose among :func:`result_definitions` by the result's own discriminators.

    Picking one definition (rather than validating an ``anyOf``) keeps messages
    precise: a broken ``CallToolResult`` reports its missing ``content``, not
    "matches none of two shapes".
    """
    names = result_definitions(version, method) if method else ()
    if not names:
        return "Result"
    if isinstance(result, dict):
        if "InputRequiredResult" in names and result.get("resultType") == "input_required":
            return "InputRequiredResult"
        if "CreateTaskResult" in names and "task" in result and "content" not in result:
            return "CreateTaskResult"
    return names[0]


def validate_notification(version: str, message: Any) -> list[SchemaError]:
    """Validate a notification frame: the generic envelope, then its per-method definition.

    An unknown method only gets the envelope check: inventing a failure for a
    notification the schema does not know would be wrong (extensions exist).
    """
    errors = validate_definition(version, "JSONRPCNotification", message)
    method = message.get("method") if isinstance(message, dict) else None
    name = notification_definition(version, method) if isinstance(method, str) else None
    if name:
        errors = _merge(errors, validate_definition(version, name, message))
    return errors


def validate_server_request(version: str, message: Any) -> list[SchemaError]:
    """Validate a server->client request frame: the envelope, then its ``*Request`` definition.

    Whether the server may send requests at all (V5: never, VER-07) is a check,
    not a schema question; here an unknown method only gets the envelope.
    """
    errors = validate_definition(version, "JSONRPCRequest", message)
    method = message.get("method") if isinstance(message, dict) else None
    name = server_request_definition(version, method) if isinstance(method, str) else None
    if name:
        errors = _merge(errors, validate_definition(version, name, message))
    return errors


def validate_incoming(version: str, message: Any, request_method: str | None = None) -> list[SchemaError]:
    """Validate any frame the server sent, dispatching on its shape.

    ``request_method`` is the method of the request a response answers (None if
    unknown). A JSON array (a batch) is validated item by item, each item's paths
    prefixed with its index.
    """
    if isinstance(message, list):
        errors: list[SchemaError] = []
        for i, item in enumerate(message):
            for e in validate_incoming(version, item):
                errors.append(SchemaError(f"/{i}{e.path}", e.message, e.definition))
        return sorted(errors)[:MAX_ERRORS]
    if isinstance(message, dict) and "method" in message:
        if "id" in message:
            return validate_server_request(version, message)
        return validate_notification(version, message)
    if isinstance(message, dict) and ("result" in message or "error" in message):
        return validate_response(version, request_method, message)
    return validate_definition(version, "JSONRPCMessage", message)


def _merge(a: list[SchemaError], b: list[SchemaError]) -> list[SchemaError]:
    """Union of two error lists, de-duplicated, sorted and capped."""
    if not a:
        return b
    if not b:
        return a
    return sorted(set(a) | set(b))[:MAX_ERRORS]


# --------------------------------------------------------------------------- messages


def _flatten(errors: Iterable[ValidationError]) -> Iterator[tuple[str, str]]:
    """Turn raw errors into (path, message) pairs a person can act on.

    For ``anyOf``/``oneOf`` failures (content blocks, resource contents...) we
    look inside: MCP unions are discriminated by ``type`` (or by which fields
    exist), so the branches whose discriminator matched tell the real story.
    """
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            inner = _explain_union(error)
            if inner:
                yield from inner
                continue
        yield _pointer(error.absolute_path), _describe(error)


def _explain_union(error: ValidationError) -> list[tuple[str, str]]:
    """The errors of the union branches that fit the instance's discriminator."""
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    plausible = {
        idx: subs
        for idx, subs in branches.items()
        if not any(s.validator in ("const", "enum") and list(s.relative_path) == ["type"] for s in subs)
    }
    if len(plausible) == 1:
        (subs,) = plausible.values()
        return list(_flatten(subs))
    best = best_match(error.context or ())
    if best is None:
        return []
    kinds = _json_type(error.instance)
    return [
        (
            _pointer(error.absolute_path),
            f"{kinds} matches none of the allowed shapes; closest: "
            f"{_pointer(best.absolute_path) or '/'}: {_describe(best)}",
        )
    ]


def _describe(error: ValidationError) -> str:
    """A short message: no megabyte reprs of the offending instance."""
    kw, expected, instance = error.validator, error.validator_value, error.instance
    if kw == "type":
        got = _json_type(instance)
        shown = "" if instance is None or isinstance(instance, bool) else " " + _preview(instance)
        return f"expected {_or_list(expected)}, got {got}{shown}"
    if kw == "const":
        return f"expected {_preview(expected)}, got {_preview(instance)}"
    if kw == "enum":
        choices = ", ".join(_preview(x, 30) for x in list(expected)[:12])
        return f"expected one of {choices}, got {_preview(instance)}"
    if kw == "required":
        return error.message  # "'content' is a required property": already short
    message = error.message
    return message if len(message) <= _MESSAGE_CHARS else message[: _MESSAGE_CHARS - 3] + "..."


def _or_list(expected: Any) -> str:
    if isinstance(expected, list):
        return " or ".join(str(x) for x in expected)
    return str(expected)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def _preview(value: Any, limit: int = 60) -> str:
    """A bounded rendering of ``value``; containers are summarised, never dumped."""
    if isinstance(value, dict):
        if len(value) > 6:
            return f"{{object with {len(value)} keys}}"
    elif isinstance(value, list) and len(value) > 6:
        return f"[array of {len(value)} items]"
    elif isinstance(value, str) and len(value) > limit:
        return json.dumps(value[:limit], ensure_ascii=False)[:-1] + f'..." ({len(value)} chars)'
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _pointer(parts: Iterable[Any]) -> str:
    """RFC 6901 JSON pointer for a path (``""`` is the root)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# --------------------------------------------------------------------------- tool schemas (TOOL-02)


def check_tool_schema(schema: Any, version: str) -> list[str]:
    """Problems that make a tool's ``inputSchema``/``outputSchema`` an invalid JSON Schema (TOOL-02).

    An empty list means valid. A schema without ``$schema`` is 2020-12 from V4;
    V1-V3 stated no dialect, so draft-07 *or* 2020-12 is accepted there. A
    problem starting with :data:`UNSUPPORTED_DIALECT` means the harness cannot
    judge (report *not verified*). Remote ``$ref``s are reported, never fetched.
    """
    guard = _guard_size(schema)
    if guard:
        return [guard]
    if isinstance(schema, bool):
        return []  # true/false are valid schemas in every supported dialect
    if not isinstance(schema, dict):
        return [f"a schema must be an object, got {_json_type(schema)}"]
    if "$schema" in schema:
        cls = _dialect_class(schema)
        if cls is None:
            return [f"{UNSUPPORTED_DIALECT}: $schema {_preview(schema['$schema'])}"]
        candidates: tuple[type[Validator], ...] = (cls,)
    elif normalize(version) in (V1, V2, V3):
        candidates = (Draft202012Validator, Draft7Validator)
    else:
        candidates = (Draft202012Validator,)
    first_problems: list[str] | None = None
    for cls in candidates:
        problems = _meta_problems(cls, schema) or _ref_problems(cls, schema)
        if not problems:
            return []
        if first_problems is None:
            first_problems = problems
    return first_problems or []


def _dialect_class(schema: Mapping[str, Any]) -> type[Validator] | None:
    """The validator class for an explicit ``$schema``, or None when jsonschema does not know it."""
    if not isinstance(schema.get("$schema"), str):
        return None
    return validators.validator_for(schema, default=None)  # type: ignore[arg-type]


def _guard_size(schema: Any) -> str | None:
    """Refuse schemas too deep or too large to handle safely (checked without recursion)."""
    try:
        size = len(json.dumps(schema, separators=(",", ":")))
    except (TypeError, ValueError):
        return "schema is not JSON"
    except RecursionError:
        return f"schema nesting exceeds {MAX_TOOL_SCHEMA_DEPTH} levels"
    if size > MAX_TOOL_SCHEMA_BYTES:
        return f"schema is {size} bytes, over the {MAX_TOOL_SCHEMA_BYTES} byte limit"
    if _depth(schema) > MAX_TOOL_SCHEMA_DEPTH:
        return f"schema nesting exceeds {MAX_TOOL_SCHEMA_DEPTH} levels"
    return None


def _depth(value: Any) -> int:
    """Maximum nesting depth of dicts/lists, computed iteratively."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Iterable[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_TOOL_SCHEMA_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _meta_problems(cls: type[Validator], schema: Any) -> list[str]:
    """Meta-schema violations of ``schema`` under ``cls`` (as ``check_schema`` would raise)."""
    meta = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    raw = list(islice(meta.iter_errors(schema), _SCAN_ERRORS))
    dialect_name = cls.__name__.removesuffix("Validator")
    return sorted({f"{dialect_name}: {p or '/'}: {m}" for p, m in _flatten(raw)})[:MAX_ERRORS]


def _ref_problems(cls: type[Validator], schema: Mapping[str, Any]) -> list[str]:
    """``$ref``s that cannot be resolved inside the schema or the bundled meta-schemas.

    Resolution uses a registry that cannot retrieve, so a remote ref is reported
    as unresolvable instead of being fetched.
    """
    spec = specification_with(cls.META_SCHEMA["$schema"])
    schema_id = schema.get("$id")
    base = schema_id if isinstance(schema_id, str) and urlsplit(schema_id).scheme else _TOOL_BASE_URI
    resource = spec.create_resource(schema)
    registry = (jsonschema_specifications.REGISTRY.with_resource(base, resource)).crawl()
    resolver = registry.resolver(base_uri=base)
    problems = []
    for ref_base, ref in _refs(schema, base):
        target = urljoin(ref_base, ref)
        try:
            resolver.lookup(target)
        except referencing.exceptions.Unresolvable:
            remote = urlsplit(target).scheme in ("http", "https")
            kind = "remote $ref (not fetched)" if remote else "unresolvable $ref"
            problems.append(f"{kind}: {_preview(ref)}")
        if len(problems) >= MAX_ERRORS:
            break
    return problems


def _refs(schema: Any, base: str) -> Iterator[tuple[str, str]]:
    """Every ``$ref``/``$dynamicRef`` string with the base URI in force where it appears."""
    stack = [(schema, base)]
    while stack:
        node, node_base = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str) and node is not schema:
                node_base = urljoin(node_base, node["$id"])
            for key in ("$ref", "$dynamicRef"):
                if isinstance(node.get(key), str):
                    yield node_base, node[key]
            stack.extend((child, node_base) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, node_base) for child in node)


@functools.lru_cache(maxsize=256)
def _tool_validator_cached(canonical: str) -> Validator:
    return _make_tool_validator(json.loads(canonical))


def _make_tool_validator(schema: Any) -> Validator:
    cls = validators.validator_for(schema, default=Draft202012Validator)
    return cls(schema, registry=jsonschema_specifications.REGISTRY)


def validator_for_tool_schema(schema: Any) -> Validator:
    """A validator for tool arguments or ``structuredContent`` under a server-supplied schema.

    2020-12 unless the schema names another dialect. Its registry holds only the
    standard meta-schemas and cannot retrieve, so a remote ``$ref`` raises
    ``referencing.exceptions.Unresolvable`` (wrapped by jsonschema) during
    validation instead of hitting the network. Cached by the schema's canonical
    JSON, so calling this per tool call is cheap.
    """
    try:
        canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return _make_tool_validator(schema)
    return _tool_validator_cached(canonical)


def preload(versions: Iterable[str] = ALL_VERSIONS) -> None:
    """Load the bundled schemas up front (e.g. before timing-sensitive checks)."""
    for v in versions:
        _bundle(v)
