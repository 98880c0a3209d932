"""The right content of seeded records: what a reply about customer 17 must say.

Why: the concurrency oracle (CONC-*) and the tenant oracle (TENANT-*) judge a
reply by whose data it carries. The server under test cannot be asked (it is
the thing on trial), so the sandbox reads its own backends around the server:
PostgreSQL over the superuser DSN (straight to the server, not through the
fault gate), Jira through its admin API (restricted issues too). Each record
comes back as the plain-text fields a reply about it may quote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg

KINDS = ("customer", "article", "issue")
CONNECT_TIMEOUT_S = 5

CUSTOMERS_SQL = """
SELECT id, first_name, last_name, email, company, phone
FROM customers WHERE id = ANY(%s) ORDER BY id
"""
CUSTOMER_COUNT_SQL = "SELECT count(*) FROM customers"
ARTICLES_SQL = "SELECT id, title, body FROM kb_articles WHERE id = ANY(%s) ORDER BY id"
ARTICLE_COUNT_SQL = "SELECT count(*) FROM kb_articles"


@dataclass(frozen=True)
class Record:
    """One seeded record: its kind, its key (an id or an issue key) and its quotable fields."""

    kind: str
    key: int | str
    fields: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def label(self) -> str:
        return f"{self.kind} {self.key}"


class Records:
    """Look seeded records up in a running sandbox (read-only: nothing here writes)."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox

    def _query(self, db: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        dsn = self.sandbox.backend("postgres").admin_dsn(db)
        with psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
            conn.execute("SET statement_timeout = '10s'")
            return list(conn.execute(sql, params).fetchall())

    def count(self, kind: str) -> int:
        """How many records of `kind` the seed holds (visible issues only)."""
        if kind == "customer":
            return int(self._query("enterprise", CUSTOMER_COUNT_SQL)[0][0])
        if kind == "article":
            return int(self._query("knowledge", ARTICLE_COUNT_SQL)[0][0])
        if kind == "issue":
            return int(self.sandbox.sizes.support_tickets)
        raise ValueError(f"unknown record kind {kind!r}; known: {', '.join(KINDS)}")

    def sample(self, kind: str, count: int, *, offset: int = 0) -> list[Record]:
        """`count` different records of `kind`, spread over the seed (deterministic)."""
        total = self.count(kind)
        if count > total:
            raise ValueError(f"the seed has only {total} {kind} records, {count} asked")
        stride = max(1, total // count)
        numbers = sorted({1 + (offset + i * stride) % total for i in range(count)})
        keys: list[int | str] = [f"SUP-{n}" if kind == "issue" else n for n in numbers]
        return self.get(kind, keys)

    def get(self, kind: str, keys: Iterable[int | str]) -> list[Record]:
        """The records with these keys, in key order; keys the seed lacks are left out."""
        wanted = list(keys)
        if kind == "customer":
            rows = self._query("enterprise", CUSTOMERS_SQL, ([int(k) for k in wanted],))
            return [
                Record(
                    "customer",
                    row[0],
                    {"email": row[3], "name": f"{row[1]} {row[2]}", "company": row[4], "phone": row[5] or ""},
                )
                for row in rows
            ]
        if kind == "article":
            rows = self._query("knowledge", ARTICLES_SQL, ([int(k) for k in wanted],))
            return [Record("article", row[0], _article_fields(row[1], row[2])) for row in rows]
        if kind == "issue":
            return [r for r in (self._issue(str(k)) for k in wanted) if r is not None]
        raise ValueError(f"unknown record kind {kind!r}; known: {', '.join(KINDS)}")

    def _issue(self, key: str) -> Record | None:
        try:
            issue = self.sandbox.backend("jira").admin_issue(key)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:  # a key the seed lacks is simply not a record
                return None
            raise
        fields = issue.get("fields") or {}
        reporter = fields.get("reporter") or {}
        return Record(
            "issue",
            key,
            {
                "key": key,
                "summary": str(fields.get("summary") or ""),
                "description": str(fields.get("description") or ""),
                "reporter": str(reporter.get("emailAddress") or ""),
            },
        )


def _article_fields(title: str, body: str) -> dict[str, str]:
    """Title and each paragraph: a reply may quote the whole article or a snippet of it."""
    fields = {"title": title}
    for number, paragraph in enumerate(p.strip() for p in body.split("\n\n")):
        if paragraph:
            fields[f"paragraph{number}"] = " ".join(paragraph.split())
    return fields
