"""A scripted client persona: the answers a real client would give to the server's requests.

Why: a server that asks its client for something (an elicitation form, a sampled
message, the client's roots) can only be judged on what it does with the answer
if the harness gives one, the way a user and their client would. The persona is
that client, configured per run (`--persona FILE.yaml`): it accepts, declines or
cancels elicitations (accepting with content valid for the requested schema),
answers sampling deterministically (a tool use when the request offers tools),
and lists the run's folders as roots. The same answers serve both eras: a
legacy server's `elicitation/create` request (session.py) and a 2026-07-28
`inputRequests` entry (harness/protocol/mrtr.py).

Nothing here judges the server: checks do (harness/checks/mrtr.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACTIONS = ("accept", "decline", "cancel")
MODEL = "mcp-harness-persona"
DEFAULT_TEXT = "Confirmed by the mcp-harness persona."
DEFAULT_MAX_ROUNDS = 5
# Which client capability each kind of server request needs (CAP-03 / MRTR-02).
CAPABILITY_OF = {
    "elicitation/create": "elicitation",
    "sampling/createMessage": "sampling",
    "roots/list": "roots",
}
# Versions with each capability: elicitation from 2025-06-18, form/tools sub-capabilities from 2025-11-25.
ELICITATION_FROM = "2025-06-18"
SUB_CAPABILITIES_FROM = "2025-11-25"


class PersonaError(ValueError):
    """A persona file that cannot be used (unknown action, bad roots, not a mapping)."""


@dataclass(frozen=True)
class Persona:
    """How the scripted client answers. Every answer is a pure function of the request."""

    action: str = "accept"  # what the user does with every elicitation: accept | decline | cancel
    values: dict[str, Any] = field(default_factory=dict)  # form field -> value when accepting
    text: str = DEFAULT_TEXT  # the sampled message's text
    model: str = MODEL
    tool_use: bool = True  # when a sampling request offers tools, call the first one
    roots: tuple[tuple[str, str], ...] = ()  # (file:// uri, name)
    max_rounds: int = DEFAULT_MAX_ROUNDS  # input_required rounds driven before giving up

    def capabilities(self, version: str | None) -> dict[str, Any]:
        """The client capabilities this persona declares at `version` (only what it can answer)."""
        caps: dict[str, Any] = {"roots": {"listChanged": False}, "sampling": {}}
        if version is None or version >= ELICITATION_FROM:
            caps["elicitation"] = {}
        if version is None or version >= SUB_CAPABILITIES_FROM:
            caps["elicitation"] = {"form": {}}
            caps["sampling"] = {"tools": {}}
        return caps

    def answer(self, method: str, params: Any) -> dict[str, Any]:
        """The result for one server request: {"result": ...} or {"error": ...} (a JSON-RPC reply body)."""
        params = params if isinstance(params, dict) else {}
        if method == "elicitation/create":
            return {"result": self.elicit(params)}
        if method == "sampling/createMessage":
            return {"result": self.sample(params)}
        if method == "roots/list":
            return {"result": {"roots": [{"uri": uri, "name": name} for uri, name in self.roots]}}
        if method == "ping":
            return {"result": {}}
        return {"error": {"code": -32601, "message": f"client does not support {method}"}}

    def elicit(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.action != "accept":
            return {"action": self.action}
        if params.get("mode") == "url":
            return {"action": "accept"}  # a URL elicitation has no content: the user went to the URL
        schema = params.get("requestedSchema")
        return {"action": "accept", "content": content_for(schema, self.values)}

    def sample(self, params: dict[str, Any]) -> dict[str, Any]:
        tools = params.get("tools") if isinstance(params.get("tools"), list) else []
        choice = params.get("toolChoice") if isinstance(params.get("toolChoice"), dict) else {}
        if tools and self.tool_use and choice.get("mode") != "none" and isinstance(tools[0], dict):
            tool = tools[0]
            name = str(tool.get("name", "tool"))
            arguments = content_for(tool.get("inputSchema"), self.values)
            digest = hashlib.sha256(repr((name, sorted(arguments.items()))).encode()).hexdigest()[:12]
            return {
                "role": "assistant",
                "content": {"type": "tool_use", "id": f"call_{digest}", "name": name, "input": arguments},
                "model": self.model,
                "stopReason": "toolUse",
            }
        return {
            "role": "assistant",
            "content": {"type": "text", "text": self.text},
            "model": self.model,
            "stopReason": "endTurn",
        }


# -- content valid for a requested schema -------------------------------------------------------
_FORMATS = {
    "email": "persona@example.com",
    "uri": "https://example.com/persona",
    "date": "2026-07-28",
    "date-time": "2026-07-28T12:00:00Z",
}


def content_for(schema: Any, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """A value for every property of a flat object schema (elicitation's restricted subset).

    `values` win where given; otherwise the schema's default, then its first enum
    member, then the smallest value its bounds allow.
    """
    values = values or {}
    props = schema.get("properties") if isinstance(schema, dict) else None
    out: dict[str, Any] = {}
    for name, prop in (props or {}).items():
        out[name] = values[name] if name in values else value_for(prop if isinstance(prop, dict) else {})
    return out


def value_for(prop: dict[str, Any]) -> Any:
    """One primitive value that `prop` (a PrimitiveSchemaDefinition) accepts."""
    if "default" in prop:
        return prop["default"]
    choices = _choices(prop)
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        options = _choices(items) or ["persona"]
        return options[: max(1, int(prop.get("minItems", 1)))]
    if choices:
        return choices[0]
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        low = prop.get("minimum", prop.get("exclusiveMinimum", 0))
        high = prop.get("maximum")
        value = max(1, int(low) + 1 if "exclusiveMinimum" in prop else int(low))
        if high is not None and value > high:
            value = int(high)
        return value
    text = _FORMATS.get(str(prop.get("format")), "persona")
    low, high = int(prop.get("minLength", 0)), prop.get("maxLength")
    text = text.ljust(low, "x")
    return text[: int(high)] if high is not None else text


def _choices(prop: dict[str, Any]) -> list[Any]:
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        return list(prop["enum"])
    for key in ("oneOf", "anyOf"):
        options = prop.get(key)
        if isinstance(options, list):
            consts = [o["const"] for o in options if isinstance(o, dict) and "const" in o]
            if consts:
                return consts
    return []


# -- configuration -------------------------------------------------------------------------------
def default_roots(folders: list[Path]) -> tuple[tuple[str, str], ...]:
    """The roots a client opened on these folders (file:// URIs, absolute)."""
    return tuple((folder.resolve().as_uri(), folder.name or "root") for folder in folders)


def from_mapping(data: Any, folders: list[Path]) -> Persona:
    """A persona from a YAML/JSON mapping (see README, "The client persona")."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PersonaError("a persona file holds a mapping (elicitation, sampling, roots, max_rounds)")
    elicitation = data.get("elicitation") or {}
    sampling = data.get("sampling") or {}
    action = str(elicitation.get("action", "accept"))
    if action not in ACTIONS:
        raise PersonaError(f"elicitation.action must be one of {', '.join(ACTIONS)}, not {action!r}")
    roots = default_roots(folders)
    if data.get("roots") is not None:
        roots = tuple(_root(item) for item in data["roots"])
    return Persona(
        action=action,
        values=dict(elicitation.get("values") or {}),
        text=str(sampling.get("text", DEFAULT_TEXT)),
        model=str(sampling.get("model", MODEL)),
        tool_use=bool(sampling.get("tool_use", True)),
        roots=roots,
        max_rounds=int(data.get("max_rounds", DEFAULT_MAX_ROUNDS)),
    )


def _root(item: Any) -> tuple[str, str]:
    if isinstance(item, str):
        item = {"uri": Path(item).resolve().as_uri() if not item.startswith("file://") else item}
    if not isinstance(item, dict) or not str(item.get("uri", "")).startswith("file://"):
        raise PersonaError(f"a root is a folder path or {{uri: file://..., name: ...}}, not {item!r}")
    uri = str(item["uri"])
    return uri, str(item.get("name") or uri.rstrip("/").rsplit("/", 1)[-1] or "root")


def load(path: str | None, folders: list[Path]) -> Persona:
    """The persona of a run: the file's, or the default (accept everything, roots = `folders`)."""
    if not path:
        return from_mapping({}, folders)
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PersonaError(f"cannot read persona file {path}: {exc}") from exc
    return from_mapping(data, folders)
