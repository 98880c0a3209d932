"""Which requests read one seeded record by its id: found from the server's own lists.

Why: the concurrency (CONC-*) and tenant (TENANT-*) oracles need requests whose
right answer the sandbox knows. A server says what it offers in `tools/list`
(a read-only tool with one required id-like argument), `resources/templates/list`
(a template with one variable) and `prompts/list` (one required key-like
argument); the words around the id (customer, article/knowledge base,
issue/ticket) say which seeded records it reads. Nothing is guessed beyond
that: a server without such a request is skipped, with this module's reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Words that tie an argument, tool, template or prompt to a kind of seeded record.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "client", "account"),
    "article": ("article", "knowledge", "kb"),
    "issue": ("issue", "ticket", "jira"),
}
ID_SUFFIXES = ("id", "key", "number")
# A tool whose name says it waits is a long poll, not a lookup: dozens at once would only wait.
NOT_LOOKUPS = ("wait", "poll", "watch", "sleep", "slow", "stream", "subscribe", "follow")
NO_READER = (
    "no request reads one seeded record by id: no read-only tool with a single required "
    "id argument (customer/article/issue), no one-variable resource template, no such prompt"
)


@dataclass(frozen=True)
class Reader:
    """A request that reads one record of `kind`, given its key."""

    kind: str
    method: str  # tools/call | resources/read | prompts/get
    name: str  # the tool or prompt name, or the URI template
    argument: str  # the argument or template variable that takes the key
    integer: bool = True  # the key is sent as an integer (else as a string)
    fixed: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def params(self, key: int | str, **override: Any) -> dict[str, Any]:
        """The request's params for the record `key` (`override`: other arguments, e.g. a tenant)."""
        value: Any = int(key) if self.integer else str(key)
        if self.method == "resources/read":
            return {"uri": self.name.replace("{" + self.argument + "}", str(value))}
        arguments = {**self.fixed, **override, self.argument: value}
        if self.method == "prompts/get":
            return {"name": self.name, "arguments": {k: str(v) for k, v in arguments.items()}}
        return {"name": self.name, "arguments": arguments}

    def describe(self) -> str:
        kind = {"tools/call": "tool", "resources/read": "resource", "prompts/get": "prompt"}[self.method]
        return f"{kind} {self.name!r} ({self.argument} -> {self.kind})"


def find_readers(session: Any, call_tools: bool) -> list[Reader]:
    """Every request of this (opened) session's server that reads one seeded record by id.

    Tools only when calling them is allowed (`call_tools`); resources and prompts are reads.
    """
    caps = session.state.capabilities

    def items(method: str, key: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _exchange, page in session.list_all(method, key):
            found += [item for item in page if isinstance(item, dict)]
        return found

    readers: list[Reader] = []
    if call_tools and "tools" in caps:
        readers += tool_readers([t for t in items("tools/list", "tools") if isinstance(t.get("name"), str)])
    if "resources" in caps:
        readers += template_readers(items("resources/templates/list", "resourceTemplates"))
    if "prompts" in caps:
        readers += prompt_readers(
            [p for p in items("prompts/list", "prompts") if isinstance(p.get("name"), str)]
        )
    return readers


def kind_of(*texts: str) -> str | None:
    """The record kind the words of `texts` name (the first text that names one wins)."""
    for text in texts:
        words = set(re.findall(r"[a-z]+", text.lower().replace("_", " ")))
        for kind, names in KIND_WORDS.items():
            if words & set(names):
                return kind
    return None


def _id_like(name: str) -> bool:
    """`id`, `customer_id`, `ticket_key`, `articleId`: an argument that names one record."""
    lowered = name.lower()
    snake = tuple("_" + s for s in ID_SUFFIXES)
    camel = tuple(s.capitalize() for s in ID_SUFFIXES)
    return lowered in ID_SUFFIXES or lowered.endswith(snake) or name.endswith(camel)


def tool_readers(tools: list[dict[str, Any]]) -> list[Reader]:
    """Read-only tools with exactly one required argument, id-like, of a known record kind."""
    found: list[Reader] = []
    for tool in tools:
        annotations = tool.get("annotations") if isinstance(tool.get("annotations"), dict) else {}
        if annotations.get("readOnlyHint") is not True:
            continue  # called dozens of times at once: never a tool that may write
        if set(re.findall(r"[a-z]+", str(tool.get("name", "")).lower())) & set(NOT_LOOKUPS):
            continue
        schema = tool.get("inputSchema") if isinstance(tool.get("inputSchema"), dict) else {}
        required = schema.get("required") if isinstance(schema.get("required"), list) else []
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        if len(required) != 1 or not isinstance(props.get(required[0]), dict):
            continue
        argument = required[0]
        spec = props[argument]
        if not _id_like(argument) or spec.get("type") not in ("integer", "string"):
            continue
        kind = kind_of(argument, str(tool.get("name", "")), str(tool.get("description") or ""))
        if kind is None:
            continue
        integer = spec.get("type") == "integer"
        if integer == (kind == "issue"):
            continue  # issue keys are strings (SUP-12), customer and article ids numbers
        found.append(Reader(kind, "tools/call", str(tool["name"]), argument, integer))
    return found


def template_readers(templates: list[dict[str, Any]]) -> list[Reader]:
    """Resource templates with one variable that ends the URI: `customers://{customer_id}`."""
    found: list[Reader] = []
    for template in templates:
        uri = template.get("uriTemplate")
        if not isinstance(uri, str):
            continue
        variables = re.findall(r"\{([^}]+)\}", uri)
        if len(variables) != 1 or not uri.endswith("{" + variables[0] + "}"):
            continue
        kind = kind_of(variables[0], uri.split("{")[0], str(template.get("name", "")))
        if kind is None:
            continue
        found.append(Reader(kind, "resources/read", uri, variables[0], kind != "issue"))
    return found


def prompt_readers(prompts: list[dict[str, Any]]) -> list[Reader]:
    """Prompts with exactly one required, id-like argument of a known record kind."""
    found: list[Reader] = []
    for prompt in prompts:
        arguments = [a for a in prompt.get("arguments") or [] if isinstance(a, dict)]
        required = [a for a in arguments if a.get("required")]
        if len(required) != 1 or not isinstance(required[0].get("name"), str):
            continue
        argument = required[0]["name"]
        if not _id_like(argument):
            continue
        kind = kind_of(argument, str(prompt.get("name", "")))
        if kind is not None:
            found.append(Reader(kind, "prompts/get", str(prompt["name"]), argument, kind != "issue"))
    return found
