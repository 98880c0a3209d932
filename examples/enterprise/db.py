"""PostgreSQL access for the read tools and resources.

Reads go through the `app_ro` role (DATABASE_URL_READONLY) in READ ONLY
transactions: a read tool that cannot write is a stronger promise than one
that merely does not. One short connection per call keeps the example simple
and leaves no idle session behind when a call is cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row

CONNECT_TIMEOUT_S = 5


def jsonable(value: Any) -> Any:
    """A database value as JSON: money stays exact (string), times are ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


@asynccontextmanager
async def read_only(dsn: str, timeout_ms: int = 5000) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A connection inside a READ ONLY transaction with a statement timeout."""
    conn = await psycopg.AsyncConnection.connect(dsn, connect_timeout=CONNECT_TIMEOUT_S, row_factory=dict_row)
    try:
        await conn.set_read_only(True)
        async with conn.transaction():
            await conn.execute("SELECT set_config('statement_timeout', %s, true)", (str(int(timeout_ms)),))
            yield conn
    finally:
        await conn.close()


CUSTOMER_SQL = """
SELECT c.id, c.first_name, c.last_name, c.email, c.company, c.country, c.phone,
       c.created_at, t.name AS tier,
       (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS order_count
FROM customers c JOIN account_tiers t ON t.id = c.tier_id
WHERE c.id = %s
"""

ORDERS_SQL = """
SELECT o.id, o.status, o.ordered_at, o.total,
       (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS item_count
FROM orders o
WHERE o.customer_id = %s AND (%s::text IS NULL OR o.status = %s::text)
ORDER BY o.ordered_at DESC, o.id DESC
LIMIT %s
"""


async def fetch_customer(dsn: str, customer_id: int) -> dict[str, Any] | None:
    """One customer with tier and order count, or None when there is no such id."""
    async with read_only(dsn) as conn:
        cur = await conn.execute(CUSTOMER_SQL, (customer_id,))
        row = await cur.fetchone()
    return None if row is None else {k: jsonable(v) for k, v in row.items()}


async def fetch_customer_id_by_email(dsn: str, email: str) -> int | None:
    """The id of the customer with this email (case-insensitive), or None."""
    async with read_only(dsn) as conn:
        cur = await conn.execute("SELECT id FROM customers WHERE lower(email) = lower(%s)", (email,))
        row = await cur.fetchone()
    return None if row is None else int(row["id"])


async def fetch_orders(dsn: str, customer_id: int, status: str | None, limit: int) -> list[dict[str, Any]]:
    """A customer's orders, newest first, optionally of one status."""
    async with read_only(dsn) as conn:
        cur = await conn.execute(ORDERS_SQL, (customer_id, status, status, limit))
        rows = await cur.fetchall()
    return [{k: jsonable(v) for k, v in row.items()} for row in rows]
