"""Chaos for the soak (SLO-*): cut PostgreSQL, then storm Jira with 429, on cue.

Why a module: the soak needs the faults switched at moments of its choosing,
and switched off for certain whatever happens in between (`end()` is
idempotent and always called). The two outages come one after the other, not
together: a write that reads the database before it calls Jira would
otherwise never reach the storm. The faults themselves are the backends' (the
PostgreSQL gate refuses and cuts the server's connections; Jira answers 429
with Retry-After); this module only times them, and counts the server's open
database connections, which the soak samples for leaks.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import psycopg

SERVER_ROLES = ("app", "app_ro")  # the roles the server under test connects as
CONNECTIONS_SQL = "SELECT count(*) FROM pg_stat_activity WHERE usename = ANY(%s) AND pid <> pg_backend_pid()"


class Chaos:
    """`begin()`: PostgreSQL refused; `next()`: PostgreSQL back, Jira at 429; `end()`: all back."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.began: float | None = None
        self.ended: float | None = None

    def _backend(self, name: str) -> Any:
        try:
            return self.sandbox.backend(name)
        except KeyError:
            return None

    def begin(self) -> None:
        """Cut the database; `began` is when (time.monotonic())."""
        self.began = time.monotonic()
        postgres = self._backend("postgres")
        if postgres is not None:
            postgres.set_faults(refuse=True)

    def next(self) -> None:
        """The database comes back and the Jira storm starts."""
        postgres, jira = self._backend("postgres"), self._backend("jira")
        if postgres is not None:
            postgres.clear_faults()
        if jira is not None:
            jira.set_faults(status=429)

    def end(self) -> None:
        """Everything back to normal (idempotent); `ended` is when."""
        for name in ("postgres", "jira"):
            backend = self._backend(name)
            if backend is not None:
                with contextlib.suppress(Exception):  # ending must not stop at the first backend
                    backend.clear_faults()
        if self.began is not None and self.ended is None:
            self.ended = time.monotonic()

    def __enter__(self) -> Chaos:
        self.begin()
        return self

    def __exit__(self, *_: Any) -> None:
        self.end()


class ConnectionCounter:
    """The server's open PostgreSQL sessions, counted over one superuser connection (not the gate)."""

    def __init__(self, sandbox: Any) -> None:
        dsn = sandbox.backend("postgres").admin_dsn("postgres")
        self.conn = psycopg.connect(dsn, connect_timeout=5, autocommit=True)
        self.conn.execute("SET statement_timeout = '5s'")

    def count(self) -> int:
        row = self.conn.execute(CONNECTIONS_SQL, (list(SERVER_ROLES),)).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
