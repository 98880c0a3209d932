"""Changes the harness makes to the sandbox on purpose, to see whether a server notices.

Why: some promises are about reacting to the world (SURF-03: a list that grows
is announced with list_changed). The harness then has to change the world
itself, the way an employee would: a new knowledge-base article published next
to the seeded ones. Writes go over the superuser DSN, straight to PostgreSQL;
the caller resets the sandbox afterwards (`Sandbox.reset()` restores the seed).
"""

from __future__ import annotations

from typing import Any

import psycopg

from sandbox.embeddings import embed, to_pgvector

CONNECT_TIMEOUT_S = 5
PUBLISH_SQL = """
INSERT INTO kb_articles (topic, title, body, updated_at, embedding)
VALUES (%s, %s, %s, now(), %s{cast}) RETURNING id
"""


def publish_article(sandbox: Any, title: str, body: str, topic: str = "harness") -> int:
    """Add one knowledge-base article (with its embedding, as the seed has); returns its id."""
    has_vector = sandbox.env().get("VECTOR_BACKEND") == "pgvector"
    vector = embed(f"{title}\n{body}")
    value: Any = to_pgvector(vector) if has_vector else vector
    sql = PUBLISH_SQL.format(cast="::vector" if has_vector else "::real[]")
    dsn = sandbox.backend("postgres").admin_dsn("knowledge")
    with psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
        conn.execute("SET statement_timeout = '10s'")
        row = conn.execute(sql, (topic, title, body, value)).fetchone()
    assert row is not None
    return int(row[0])
