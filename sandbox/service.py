"""The life of a sandbox service, once: start, wait, log, stop, `with`.

Testcontainers gives every container the same shape (`start()` returns the
container, `with` stops it, a failed start cleans up before it re-raises) and
lets each service add only what differs. This module does the same for our
backends:

- `Service` is the `with` part, for anything with `start() -> Self` and
  `stop()` (every backend, and the `Sandbox` itself).
- `LocalService` is a service we run as a child process here: `python -m
  <module>` on a free loopback port, in its own process group, its output in
  a log file, stdin the owner pipe (`sandbox/owner.py`: the child ends when we
  do, however we end), readiness through `sandbox.wait`, stop through
  `sandbox.procs.stop_process`. A subclass says what to run and when it is
  ready; the Jira service and the identity provider are two such subclasses.

    with JiraBackend(seed=42, workdir=path) as jira:
        jira.env()["JIRA_URL"]
"""

from __future__ import annotations

import abc
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import ClassVar, Self

from sandbox.procs import LOOPBACK, free_port, read_tail, stop_process
from sandbox.wait import READY_TIMEOUT, process_exited, wait_http

PROJECT_ROOT = Path(__file__).resolve().parents[1]  # so `python -m sandbox.<service>` resolves


class Service(abc.ABC):
    """Something started and stopped as a unit, usable in `with`."""

    @abc.abstractmethod
    def start(self) -> Self:
        """Start and wait until ready; idempotent; clean up and re-raise on failure."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop and release everything; idempotent, never raises."""

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()  # start() cleans up after itself; this also covers a subclass that forgot
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spawn(cmd: list[str], log_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start `cmd` in its own session, output appended to `log_path`, stdin the owner pipe.

    The pipe is never written: the kernel closes it when we die, and a child
    started with `--exit-with-stdin` then stops itself (sandbox/owner.py).
    """
    with open(log_path, "ab") as log:  # the child has its own copy; ours closes here
        return subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=str(PROJECT_ROOT),
            start_new_session=True,
        )


class LocalService(Service):
    """One `python -m <module>` process of ours on a loopback port; subclasses fill in the hooks."""

    module: ClassVar[str]  # what `python -m` runs
    what: ClassVar[str]  # how messages name the service ("jira sandbox")
    log_name: ClassVar[str]  # the log file's name in the work directory
    ready_path: ClassVar[str]  # GET this answers 200 once the service is ready
    ready_timeout: ClassVar[float] = READY_TIMEOUT
    stop_grace: ClassVar[float] = 5.0  # after SIGTERM, before SIGKILL to the group

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.log_path = self.workdir / self.log_name
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ hooks

    def _configure(self) -> None:
        """Make the per-start secrets and files; runs before the process starts."""

    def _arguments(self) -> list[str]:
        """The service's own command-line arguments (host, port and the owner pipe are added)."""
        return []

    def _environment(self) -> dict[str, str]:
        """Variables for the child on top of ours (secrets go here, out of `ps`)."""
        return {}

    def _ready_headers(self) -> dict[str, str]:
        """Headers for the readiness probe."""
        return {}

    def _on_ready(self) -> None:
        """Runs once the service answers (open clients, read what it made)."""

    # ------------------------------------------------------------------ life

    @property
    def url(self) -> str:
        """The service's base URL on loopback ("" before the first start)."""
        return f"http://{LOOPBACK}:{self.port}" if self.port else ""

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _command(self) -> list[str]:
        return [
            sys.executable, "-m", self.module, "--host", LOOPBACK, "--port", str(self.port),
            *self._arguments(), "--exit-with-stdin",
        ]  # fmt: skip

    def start(self) -> Self:
        """Start the process and wait until `ready_path` answers; idempotent."""
        if self.running:
            return self
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self.port = free_port()
            self._configure()
            env = {**os.environ, "PYTHONUNBUFFERED": "1", **self._environment()}
            self._proc = spawn(self._command(), self.log_path, env)
            wait_http(
                self.url + self.ready_path,
                timeout=self.ready_timeout,
                what=self.what,
                headers=self._ready_headers(),
                exited=process_exited(self._proc),
                log_tail=self.log_tail,
            )
            self._on_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def log_tail(self, lines: int = 30) -> str:
        return read_tail(self.log_path, lines)

    def stop(self) -> None:
        """TERM the process, KILL its group if it lingers; always reaped; idempotent, never raises."""
        proc, self._proc = self._proc, None
        stop_process(proc, grace=self.stop_grace, second_signal=signal.SIGKILL, second_grace=2.0)
