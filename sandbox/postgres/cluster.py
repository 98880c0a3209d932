"""One PostgreSQL cluster (a data directory and its postmaster), run by us.

We do not use pg_ctl: starting `postgres` directly gives us the postmaster's
PID as our own child (reaped by us, in its own process group) and readiness
comes from `postmaster.pid`, which the postmaster marks "ready" itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import psycopg

from sandbox.postgres.binaries import PgInstall
from sandbox.procs import LOOPBACK, RunAs, free_port, read_tail, stop_process
from sandbox.wait import ServiceExited, process_exited, wait_until

ADMIN_ROLE = "sandbox_admin"  # the internal superuser; never handed to the server under test

# Loopback only, no unix socket, durability off (a sandbox is disposable).
BASE_SETTINGS: dict[str, str] = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "password_encryption": "'scram-sha-256'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "min_wal_size": "32MB",
    "max_wal_size": "512MB",
    "checkpoint_timeout": "1h",
    "shared_buffers": "32MB",
    "max_connections": "60",
    "autovacuum": "off",
    "jit": "off",
    "huge_pages": "off",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "datestyle": "'iso, mdy'",
    "logging_collector": "off",
    "log_min_messages": "warning",
}

HBA = f"""# mcp-sandbox: TCP on loopback only, passwords (SCRAM) only, nothing else.
host    all                 {ADMIN_ROLE}    127.0.0.1/32    scram-sha-256
host    enterprise,knowledge    app,app_ro  127.0.0.1/32    scram-sha-256
"""


class ClusterError(RuntimeError):
    """The cluster could not be initialised or started; the message has the log tail."""


def connect(
    port: int, dbname: str, user: str, password: str, autocommit: bool = True, timeout: int = 10
) -> psycopg.Connection:
    """The sandbox's own connection to a server on loopback `port`, however it runs (cluster or container).

    `timeout` bounds the connect, so a server that accepts and then stalls fails loudly.
    """
    return psycopg.connect(
        host=LOOPBACK,
        port=port,
        dbname=dbname,
        user=user,
        password=password,
        autocommit=autocommit,
        connect_timeout=timeout,
        application_name="mcp-sandbox",
    )


def settings_for(install: PgInstall) -> dict[str, str]:
    settings = dict(BASE_SETTINGS)
    if install.major >= 18:
        settings["io_method"] = "sync"  # no I/O worker processes: faster start, fewer children
    return settings


class Cluster:
    """A data directory under `root` run by `user` with the programs of `install`."""

    def __init__(self, install: PgInstall, root: Path, user: RunAs) -> None:
        self.install = install
        self.root = root
        self.datadir = root / "data"
        self.logfile = root / "postgres.log"
        self.user = user
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None

    # ------------------------------------------------------------------ set-up

    def _env(self) -> dict[str, str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C", "TZ": "UTC"}
        if self.user.switches:
            env["HOME"] = str(self.root)
        return env

    def initdb(self, admin_password: str, timeout: float = 120.0) -> None:
        """Create the data directory with the internal superuser and our config."""
        pwfile = self.root / "pwfile"
        pwfile.write_text(admin_password + "\n")
        pwfile.chmod(0o600)
        self.user.chown_tree(self.root)
        cmd = [
            self.install.program("initdb"),
            "-D",
            str(self.datadir),
            "-U",
            ADMIN_ROLE,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ]
        try:
            result = subprocess.run(
                cmd,
                cwd=self.root,
                env=self._env(),
                capture_output=True,
                text=True,
                timeout=timeout,
                start_new_session=True,
                **self.user.popen_kwargs(),
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ClusterError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        self.write_config()

    def write_config(self) -> None:
        """(Re)write our settings and pg_hba.conf; the last setting in the file wins."""
        conf = self.datadir / "postgresql.conf"
        text = conf.read_text()
        marker = "\n# --- mcp-sandbox ---\n"
        text = text.split(marker)[0] + marker
        text += "".join(f"{k} = {v}\n" for k, v in settings_for(self.install).items())
        conf.write_text(text)
        (self.datadir / "pg_hba.conf").write_text(HBA)
        (self.datadir / "pg_ident.conf").write_text("")

    # ------------------------------------------------------------------ run

    def start(self, timeout: float = 30.0, attempts: int = 3) -> int:
        """Start the postmaster on a free loopback port; return the port."""
        if self.proc is not None and self.proc.poll() is None:
            assert self.port is not None
            return self.port
        last_error = ""
        for _ in range(attempts):
            port = free_port()
            with open(self.logfile, "ab") as log:
                self.proc = subprocess.Popen(
                    [self.install.program("postgres"), "-D", str(self.datadir), "-p", str(port)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.root,
                    env=self._env(),
                    start_new_session=True,
                    **self.user.popen_kwargs(),
                )
            try:
                self._wait_ready(timeout)
            except ClusterError as exc:
                last_error = str(exc)
                self.stop()
                if "Address already in use" in last_error or "could not bind" in last_error:
                    continue
                raise
            self.port = port
            return port
        raise ClusterError(f"could not start PostgreSQL after {attempts} attempts:\n{last_error}")

    def _wait_ready(self, timeout: float) -> None:
        """Until the postmaster marks itself ready in `postmaster.pid` (polled every 5 ms)."""
        assert self.proc is not None
        proc, pidfile = self.proc, self.datadir / "postmaster.pid"

        def ready() -> bool:
            try:
                lines = pidfile.read_text().splitlines()
            except OSError:
                return False
            # Line 8 is the postmaster status: "ready" once it accepts connections.
            return len(lines) >= 8 and lines[0].strip() == str(proc.pid) and lines[7].strip() == "ready"

        try:
            wait_until(
                ready,
                what="postgres",
                timeout=timeout,
                exited=process_exited(proc),
                log_tail=lambda: read_tail(self.logfile),
                interval=0.005,
            )
        except (ServiceExited, TimeoutError) as exc:
            raise ClusterError(str(exc)) from exc

    def stop(self) -> None:
        """Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL; never raises."""
        proc, self.proc = self.proc, None
        stop_process(proc, first_signal=signal.SIGINT, grace=15.0, second_signal=signal.SIGQUIT)
        self.port = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def connect(self, dbname: str, user: str, password: str, autocommit: bool = True) -> psycopg.Connection:
        """A connection over loopback TCP (the only way in)."""
        if self.port is None:
            raise ClusterError("cluster is not running")
        return connect(self.port, dbname, user, password, autocommit)
