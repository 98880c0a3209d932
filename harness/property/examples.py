"""Deterministic tool arguments from a tool's ``inputSchema``.

One minimal *valid* instance (for calls the user allowed with
``--mcp-call-tools``) and a few *invalid* ones (safe to send to any server:
a server that validates its input never runs the tool on them).

Valid examples are built, not searched: required properties only, and for
each value the first of ``const``, ``enum``, ``default``, ``examples``, then a
value of the first allowed type kept inside simple bounds (``minimum``,
``minLength``, ``minItems``, ``pattern`` when it is a plain literal). Local
``$ref``s (``#/$defs/...``, ``#/definitions/...``) are followed; ``anyOf`` and
``oneOf`` take their first branch; ``allOf`` is merged. Every example is
checked against the schema before use, so a schema this generator does not
understand gives :class:`NoExample` (a skip with a reason), never a wrong
verdict. Invalid arguments are likewise checked to really fail the schema.

No randomness: the same schema always gives the same arguments.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from harness.schema import validator_for_tool_schema

MAX_DEPTH = 12
HUGE_STRING_CHARS = 1_000_000
DEEP_NESTING = 200
EXTRA_KEY = "__mcp_harness_unexpected__"
SCHEMA_UNUSABLE = "schema cannot be applied"


class NoExample(Exception):
    """No valid instance could be built for this schema (the reason says why)."""


@dataclass(frozen=True)
class Arguments:
    """A named set of tool arguments and whether they satisfy the inputSchema."""

    label: str
    value: dict[str, Any]
    valid: bool


# --------------------------------------------------------------------------- validation


def schema_errors(schema: Any, instance: Any, limit: int = 3) -> list[str]:
    """Why ``instance`` fails ``schema`` (empty when it is valid). Never fetches remote refs."""
    try:
        validator = validator_for_tool_schema(schema)
        errors = []
        for error in validator.iter_errors(instance):
            where = "/" + "/".join(str(p) for p in error.absolute_path)
            errors.append(f"{where}: {error.message[:160]}")
            if len(errors) >= limit:
                break
        return errors
    except Exception as exc:  # unresolvable refs, broken schemas, recursion
        return [f"{SCHEMA_UNUSABLE}: {type(exc).__name__}: {str(exc)[:160]}"]


def is_valid(schema: Any, instance: Any) -> bool:
    return not schema_errors(schema, instance, limit=1)


def judged(schema: Any, instance: Any) -> bool | None:
    """True/False: the instance is valid/invalid; None: the schema cannot be applied to it."""
    errors = schema_errors(schema, instance, limit=1)
    if errors and errors[0].startswith(SCHEMA_UNUSABLE):
        return None
    return not errors


# --------------------------------------------------------------------------- valid examples


def valid_arguments(schema: Any) -> dict[str, Any]:
    """One minimal valid arguments object for ``schema``, or raise :class:`NoExample`.

    Duration-like numbers (``quick_overrides``) are set short even when optional.
    """
    if not isinstance(schema, dict):
        raise NoExample(f"inputSchema is not an object ({type(schema).__name__})")
    try:
        value = _example(schema, schema, 0)
    except RecursionError as exc:
        raise NoExample("inputSchema is too deeply nested to build an example") from exc
    if not isinstance(value, dict):
        raise NoExample("the example built for inputSchema is not an object")
    problems = schema_errors(schema, value)
    if problems:
        raise NoExample(f"generated arguments {_short(value)} do not validate: {'; '.join(problems)}")
    # Minimal arguments leave a duration to the tool's default (server-everything's
    # long-running operation: 10 s); a check of a result's shape wants it short.
    quick = {**value, **quick_overrides(schema)}
    return value if quick == value or schema_errors(schema, quick) else quick


def _example(schema: Any, root: dict[str, Any], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise NoExample("schema nesting too deep for the example generator")
    if schema is True or schema == {}:
        return None if depth else {}
    if schema is False:
        raise NoExample("a property schema is `false` (no value allowed)")
    if not isinstance(schema, dict):
        raise NoExample(f"unexpected schema node {_short(schema)}")
    if "$ref" in schema:
        target = _resolve(schema["$ref"], root)
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return _example(merged, root, depth + 1)
    if "const" in schema:
        return copy.deepcopy(schema["const"])
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return copy.deepcopy(schema["enum"][0])
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return copy.deepcopy(schema["examples"][0])
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            rest = {k: v for k, v in schema.items() if k != key}
            return _example({**rest, **_as_dict(schema[key][0])}, root, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            merged = _merge(merged, _as_dict(part))
        return _example(merged, root, depth + 1)
    kind = _first_type(schema)
    if kind == "object":
        return _object(schema, root, depth)
    if kind == "array":
        count = int(schema.get("minItems", 0) or 0)
        items = schema.get("items", {})
        return [_example(items, root, depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    raise NoExample(f"cannot pick a value for {_short(schema)}")


def _object(schema: dict[str, Any], root: dict[str, Any], depth: int) -> dict[str, Any]:
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = [r for r in schema.get("required", []) if isinstance(r, str)]
    value: dict[str, Any] = {}
    for name in required:
        value[name] = _example(properties.get(name, {}), root, depth + 1) if name in properties else ""
    return value


def _string(schema: dict[str, Any]) -> str:
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        literal = _literal_pattern(pattern)
        if literal is None:
            raise NoExample(f"string pattern {pattern!r} is not simple enough to satisfy")
        return literal
    fmt = schema.get("format")
    base = {
        "uri": "https://example.com/",
        "email": "a@example.com",
        "date": "2024-01-01",
        "date-time": "2024-01-01T00:00:00Z",
        "uuid": "00000000-0000-4000-8000-000000000000",
    }.get(fmt, "a")
    length = int(schema.get("minLength", 1 if fmt is None else 0) or 0)
    text = base if len(base) >= length else base + "a" * (length - len(base))
    if isinstance(schema.get("maxLength"), int) and len(text) > schema["maxLength"]:
        text = text[: schema["maxLength"]]
    return text


def _number(schema: dict[str, Any], kind: str) -> int | float:
    low = schema.get("minimum")
    exclusive = schema.get("exclusiveMinimum")
    high = schema.get("maximum")
    value: float = 0
    if isinstance(low, (int, float)):
        value = low
    if isinstance(exclusive, (int, float)) and not isinstance(exclusive, bool):
        value = max(value, exclusive + 1)
    if isinstance(high, (int, float)) and value > high:
        value = high
    multiple = schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and multiple and value % multiple:
        value = (value // multiple + 1) * multiple
    if kind == "integer":
        return int(value)
    return value


def _literal_pattern(pattern: str) -> str | None:
    """The one string a pattern like ``^abc$`` matches; None for anything with regex syntax."""
    body = pattern.removeprefix("^").removesuffix("$")
    if body and all(ch.isalnum() or ch in "_- " for ch in body):
        return body
    return None


def _first_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        return non_null[0] if non_null else ("null" if kind else None)
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return None


def _resolve(ref: Any, root: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise NoExample(f"$ref {ref!r} is not local (never fetched)")
    node: Any = root
    for part in ref.lstrip("#").split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise NoExample(f"$ref {ref!r} does not resolve inside the schema")
        node = node[part]
    return _as_dict(node)


def _as_dict(node: Any) -> dict[str, Any]:
    if node is True:
        return {}
    if not isinstance(node, dict):
        raise NoExample(f"unexpected schema node {_short(node)}")
    return node


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if key == "properties" and isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = {**out[key], **value}
        elif key == "required" and isinstance(out.get(key), list) and isinstance(value, list):
            out[key] = list(dict.fromkeys([*out[key], *value]))
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------- invalid arguments


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def _required(schema: dict[str, Any]) -> list[str]:
    required = schema.get("required")
    return [r for r in required if isinstance(r, str)] if isinstance(required, list) else []


def _base(schema: dict[str, Any]) -> dict[str, Any]:
    """Valid arguments when they can be built; else the best guess ({} or required strings)."""
    try:
        return valid_arguments(schema)
    except NoExample:
        return {}


def _scalar_of_other_type(prop: Any) -> Any:
    """A scalar (never null, never a container) of a type the property does not take."""
    kind = _first_type(prop) if isinstance(prop, dict) else None
    return {
        "string": 12345,
        "integer": "not-a-number",
        "number": "not-a-number",
        "boolean": "not-a-boolean",
    }.get(kind or "")


def invalid_arguments(schema: Any) -> list[Arguments]:
    """Arguments that break ``schema`` the ordinary way (TOOL-06): a required property
    missing, or a required property given a scalar of the wrong type.

    Only candidates that really fail the schema are returned.
    """
    if not isinstance(schema, dict):
        return []
    base = _base(schema)
    props, required = _properties(schema), _required(schema)
    candidates: list[Arguments] = []
    if required:
        missing = {k: v for k, v in base.items() if k != required[0]}
        candidates.append(Arguments(f"required argument {required[0]!r} missing", missing, False))
    for name in required or list(props):
        wrong = _scalar_of_other_type(props.get(name))
        if wrong is not None:
            candidates.append(
                Arguments(f"{name!r} given a {type(wrong).__name__}", {**base, name: wrong}, False)
            )
            break
    return [c for c in candidates if judged(schema, c.value) is False]


def hostile_arguments(schema: Any) -> list[Arguments]:
    """Fuzz-lite arguments (TOOL-14): an unexpected extra key, a huge string, deep
    nesting and null. Each is marked valid or not by the schema itself."""
    if not isinstance(schema, dict):
        return []
    base = _base(schema)
    props, required = _properties(schema), _required(schema)
    first = (required or list(props) or [None])[0]
    strings = [n for n, p in props.items() if isinstance(p, dict) and _first_type(p) == "string"]
    deep: Any = "x"
    for _ in range(DEEP_NESTING):
        deep = [deep]
    cases = [Arguments("an unexpected extra key", {**base, EXTRA_KEY: "extra"}, True)]
    if strings:
        cases.append(
            Arguments(
                f"a {HUGE_STRING_CHARS:,}-character string for {strings[0]!r}",
                {**base, strings[0]: "x" * HUGE_STRING_CHARS},
                True,
            )
        )
    target = first if first is not None else EXTRA_KEY
    cases.append(Arguments(f"{DEEP_NESTING} nested arrays for {target!r}", {**base, target: deep}, True))
    if first is not None:
        cases.append(Arguments(f"null for {first!r}", {**base, first: None}, True))
    verdicts = [(c, judged(schema, c.value)) for c in cases]
    return [Arguments(c.label, c.value, valid) for c, valid in verdicts if valid is not None]


def safe_arguments(schema: Any, *, call_tools: bool) -> dict[str, Any] | None:
    """Arguments for a call that is safe to make: valid ones only when the user
    allowed real calls (``--mcp-call-tools``), otherwise ones that break the
    schema, so a validating server never runs the tool. None if none can be built."""
    if call_tools:
        try:
            return valid_arguments(schema)
        except NoExample:
            pass
    broken = invalid_arguments(schema) + [a for a in hostile_arguments(schema) if not a.valid]
    broken = [a for a in broken if "-character string" not in a.label]
    return broken[0].value if broken else None


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


__all__ = [
    "SCHEMA_UNUSABLE",
    "Arguments",
    "NoExample",
    "hostile_arguments",
    "invalid_arguments",
    "is_valid",
    "safe_arguments",
    "schema_errors",
    "valid_arguments",
]


# Argument names that ask a tool to run for a time: the one list the suites and examples share.
SECONDS_ARGS = ("seconds", "secs", "duration", "delay", "sleep", "wait", "time", "duration_s", "delay_s")
MILLIS_ARGS = ("ms", "millis", "milliseconds", "duration_ms", "delay_ms", "sleep_ms", "wait_ms", "timeout_ms")


def quick_overrides(schema: Any) -> dict[str, Any]:
    """Values for duration-like numeric arguments that make a tool quick.

    Why: a probe that is not about the tool's work (an unexpected extra argument,
    a leak check) should not make a server run its default ten-second operation,
    which a harness would then have to wait out.
    """
    props = _properties(_as_dict(schema))
    quick: dict[str, Any] = {}
    for name, spec in props.items():
        if not isinstance(spec, dict) or spec.get("type") not in ("number", "integer"):
            continue
        lowered = str(name).lower()
        if lowered not in SECONDS_ARGS and lowered not in MILLIS_ARGS:
            continue
        millis = lowered in MILLIS_ARGS
        value: float = 100 if millis else 0.1
        if spec.get("type") == "integer":
            value = max(int(spec.get("minimum", 0) or 0), 100 if millis else 1)
        quick[name] = value
    return quick
