"""Atlassian Document Format (ADF) <-> plain text, for v3 (ADF) versus v2 (strings).

The store keeps plain text as the source of truth (so JQL `~` and v2 readers
work), plus the original ADF document when a v3 client sent one, so a v3
reader gets back exactly what it wrote.
"""

from __future__ import annotations

import html
from typing import Any

# Nodes whose children are blocks (each child becomes its own text block).
_CONTAINERS = {
    "doc",
    "blockquote",
    "panel",
    "table",
    "tableRow",
    "tableCell",
    "tableHeader",
    "expand",
    "nestedExpand",
    "layoutSection",
    "layoutColumn",
}


def is_adf(value: Any) -> bool:
    """True for a dict that looks like an ADF document (`{"type": "doc", ...}`)."""
    return isinstance(value, dict) and value.get("type") == "doc"


def to_adf(text: str | None) -> dict[str, Any] | None:
    """Plain text -> an ADF doc: one paragraph per blank-line-separated block, hardBreak per newline."""
    if text is None:
        return None
    paragraphs = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        content: list[dict[str, Any]] = []
        for n, line in enumerate(block.split("\n")):
            if n:
                content.append({"type": "hardBreak"})
            if line:
                content.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def to_text(doc: Any) -> str:
    """An ADF doc (or node) -> plain text; blocks are separated by blank lines, list items by newlines."""
    if doc is None:
        return ""
    if isinstance(doc, str):
        return doc
    blocks: list[str] = []
    _collect_blocks(doc, blocks)
    return "\n\n".join(b for b in blocks if b is not None).strip("\n")


def _collect_blocks(node: dict[str, Any], out: list[str]) -> None:
    kind = node.get("type")
    if kind in _CONTAINERS:
        for child in node.get("content", []):
            if isinstance(child, dict):
                _collect_blocks(child, out)
    elif kind in ("bulletList", "orderedList"):
        items = [_inline(item).strip("\n") for item in node.get("content", [])]
        out.append("\n".join(f"- {item}" for item in items))
    elif kind == "rule":
        out.append("----")
    else:
        out.append(_inline(node))


def _inline(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    if kind == "mention":
        return str(node.get("attrs", {}).get("text", ""))
    if kind in ("emoji",):
        return str(node.get("attrs", {}).get("text", node.get("attrs", {}).get("shortName", "")))
    if kind in ("inlineCard", "blockCard"):
        return str(node.get("attrs", {}).get("url", ""))
    parts = [_inline(child) for child in node.get("content", []) if isinstance(child, dict)]
    sep = "\n" if kind in ("listItem", "bulletList", "orderedList") else ""
    return sep.join(parts)


def to_html(text: str | None) -> str | None:
    """The `renderedFields` HTML for a plain-text body (what Jira's wiki renderer roughly gives)."""
    if text is None:
        return None
    paragraphs = text.replace("\r\n", "\n").split("\n\n")
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)
