"""`query_database`: ad-hoc read-only SQL, with the database as the defence.

Layers, none of which parses SQL text:

1. the `app_ro` role (DATABASE_URL_READONLY) has SELECT privileges only;
2. the transaction is READ ONLY (nextval, DDL and DML fail even if a grant slips);
3. the query runs as a server-side cursor (`DECLARE ... CURSOR FOR <query>`), which
   PostgreSQL accepts only for one SELECT/VALUES without `INTO` or data-modifying
   CTEs, and through the extended protocol, which refuses several statements;
4. `statement_timeout` bounds the time, and rows are fetched up to a limit, so a
   huge result is never materialised.

`ENTERPRISE_FAULT=string-matching-sql` swaps all of this for the classic bug: a
`startswith("select")` check, then the READ-WRITE connection in autocommit.
It exists so the harness's side-effect oracle can be shown to catch it.
"""

from __future__ import annotations

from typing import Any

import psycopg

from .db import CONNECT_TIMEOUT_S, jsonable


class QueryRefused(Exception):
    """The database (or, in the fault mode, the naive check) refused the query."""


async def run_read_only(dsn: str, query: str, max_rows: int, timeout_ms: int) -> dict[str, Any]:
    """Run `query` as described in the module docstring; rows beyond `max_rows` are cut."""
    conn = await psycopg.AsyncConnection.connect(dsn, connect_timeout=CONNECT_TIMEOUT_S)
    try:
        await conn.set_read_only(True)
        async with conn.transaction():
            await conn.execute("SELECT set_config('statement_timeout', %s, true)", (str(int(timeout_ms)),))
            async with conn.cursor(name="query_database") as cur:
                try:
                    await cur.execute(query)
                    rows = await cur.fetchmany(max_rows + 1)
                except psycopg.Error as exc:
                    raise QueryRefused(_describe(exc)) from None
                columns = [d.name for d in cur.description or []]
    finally:
        await conn.close()
    return _result(columns, rows, max_rows)


async def run_string_matching(dsn: str, query: str, max_rows: int) -> dict[str, Any]:
    """THE DELIBERATE BUG (fault mode): a prefix check, then a read-write autocommit connection."""
    if not query.strip().lower().startswith("select"):
        raise QueryRefused("only SELECT statements are allowed")
    conn = await psycopg.AsyncConnection.connect(dsn, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
    try:
        try:
            cur = await conn.execute(query)
            rows = await cur.fetchmany(max_rows + 1) if cur.description else []
        except psycopg.Error as exc:
            raise QueryRefused(_describe(exc)) from None
        columns = [d.name for d in cur.description or []]
    finally:
        await conn.close()
    return _result(columns, rows, max_rows)


def _result(columns: list[str], rows: list[Any], max_rows: int) -> dict[str, Any]:
    truncated = len(rows) > max_rows
    kept = [[jsonable(v) for v in row] for row in rows[:max_rows]]
    return {"columns": columns, "rows": kept, "row_count": len(kept), "truncated": truncated}


def _describe(exc: psycopg.Error) -> str:
    """The database's own sentence (first line), with its SQLSTATE: useful, never a stack."""
    first = (str(exc).strip().splitlines() or ["query failed"])[0]
    state = getattr(exc, "sqlstate", None)
    return f"the database refused the query: {first}" + (f" (SQLSTATE {state})" if state else "")
