"""The knowledge base: pgvector nearest neighbours over `kb_articles`.

Queries are embedded with the module named by EMBEDDING_MODEL (the sandbox
says `sandbox.embeddings`), because a query vector only means something next
to vectors made by the same model. Distances are cosine (`<=>`, the index's
operator class); the score we report is `1 - distance`.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from types import ModuleType
from typing import Any

from .db import jsonable, read_only

SNIPPET_CHARS = 240

SEARCH_SQL = """
SELECT id, topic, title, body, updated_at, embedding <=> %s::vector AS distance
FROM kb_articles
ORDER BY embedding <=> %s::vector, id
LIMIT %s
"""

ARTICLE_SQL = "SELECT id, topic, title, body, updated_at FROM kb_articles WHERE id = %s"
PAGE_SQL = "SELECT id, title FROM kb_articles WHERE id > %s ORDER BY id LIMIT %s"


@lru_cache(maxsize=4)
def embedder(name: str) -> ModuleType:
    """Import the embedding module once; it must offer `embed(text)` and `to_pgvector(vector)`."""
    module = importlib.import_module(name)
    if not callable(getattr(module, "embed", None)) or not callable(getattr(module, "to_pgvector", None)):
        raise ImportError(f"{name} does not provide embed() and to_pgvector()")
    return module


def snippet(body: str, query: str, size: int = SNIPPET_CHARS) -> str:
    """The part of `body` around the first query word it contains (else its start)."""
    text = " ".join(body.split())
    words = [w for w in re.findall(r"[a-z0-9]+", query.lower()) if len(w) > 2]
    start = 0
    lowered = text.lower()
    for word in words:
        at = lowered.find(word)
        if at >= 0:
            start = max(0, at - size // 4)
            break
    piece = text[start : start + size]
    return ("..." if start else "") + piece + ("..." if start + size < len(text) else "")


async def search(dsn: str, model: str, query: str, limit: int) -> list[dict[str, Any]]:
    """The `limit` articles nearest to `query`, best first, with snippet and score."""
    module = embedder(model)
    vector = module.to_pgvector(module.embed(query))
    async with read_only(dsn) as conn:
        cur = await conn.execute(SEARCH_SQL, (vector, vector, limit))
        rows = await cur.fetchall()
    return [
        {
            "id": row["id"],
            "uri": f"kb://articles/{row['id']}",
            "title": row["title"],
            "topic": row["topic"],
            "snippet": snippet(row["body"], query),
            "score": round(1.0 - float(row["distance"]), 4),
        }
        for row in rows
    ]


async def article(dsn: str, article_id: int) -> dict[str, Any] | None:
    async with read_only(dsn) as conn:
        cur = await conn.execute(ARTICLE_SQL, (article_id,))
        row = await cur.fetchone()
    return None if row is None else {k: jsonable(v) for k, v in row.items()}


async def page(dsn: str, after_id: int, size: int) -> list[dict[str, Any]]:
    """Keyset pagination: stable under inserts, no OFFSET scan."""
    async with read_only(dsn) as conn:
        cur = await conn.execute(PAGE_SQL, (after_id, size))
        return list(await cur.fetchall())
