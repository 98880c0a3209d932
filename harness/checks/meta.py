"""RPC-14: `_meta` keys follow the grammar; reserved prefixes hold only spec keys."""

from __future__ import annotations

import re
from typing import Any

from harness.findings import Finding, fail, warn

LABEL = r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
KEY = re.compile(rf"^(?:{LABEL}(?:\.{LABEL})*/)?{NAME}$")
SPEC_KEYS = {
    "io.modelcontextprotocol/serverInfo",
    "io.modelcontextprotocol/subscriptionId",
    "io.modelcontextprotocol/protocolVersion",
    "io.modelcontextprotocol/clientCapabilities",
    "io.modelcontextprotocol/clientInfo",
    "io.modelcontextprotocol/logLevel",
    "io.modelcontextprotocol/related-task",
    "io.modelcontextprotocol/model-immediate-response",
}


def meta_keys(messages: list[dict[str, Any] | None]) -> list[Finding]:
    findings: list[Finding] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        body = message.get("result") if "result" in message else message.get("params")
        meta = body.get("_meta") if isinstance(body, dict) else None
        if not isinstance(meta, dict):
            continue
        for key in meta:
            if not KEY.match(key):
                findings.append(fail("RPC-14", f"_meta key {key!r} does not follow the key grammar", message))
            elif _reserved(key) and key not in SPEC_KEYS:
                findings.append(
                    warn("RPC-14", f"_meta key {key!r} uses a reserved prefix but is not a spec key")
                )
    return findings


def _reserved(key: str) -> bool:
    prefix = key.split("/", 1)[0] if "/" in key else ""
    labels = prefix.split(".")
    return len(labels) >= 2 and labels[1] in ("modelcontextprotocol", "mcp")
