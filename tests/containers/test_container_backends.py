"""The container backends' own start/stop code, on a stand-in container: no engine needed.

The parity tests prove the container provider end to end, but only where an
engine answers. These pin what the container backends add to the local ones
(the exit check, the log tail, removal on stop and on a failed start) on every
machine, with a fake that records what the backends asked of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox.containers.jira import ContainerJiraBackend
from sandbox.containers.postgres import ContainerPostgresBackend, _ContainerCluster
from sandbox.procs import free_port
from sandbox.wait import ServiceExited


class FakeContainer:
    """The parts of a Testcontainers container (and of the SDK container it wraps) the backends use."""

    def __init__(self, status: str = "running", logs: tuple[bytes, bytes] = (b"", b"")) -> None:
        self.status = status
        self.logs = logs
        self.env: dict[str, str] = {}
        self.command: list[str] = []
        self.stops: list[dict[str, Any]] = []
        self.port = free_port()  # nothing listens there

    def with_env(self, key: str, value: str) -> FakeContainer:
        self.env[key] = value
        return self

    def with_command(self, command: list[str]) -> FakeContainer:
        self.command = command
        return self

    def with_kwargs(self, **kwargs: Any) -> FakeContainer:
        return self

    def start(self) -> FakeContainer:
        return self

    def get_exposed_port(self, port: int) -> int:
        return self.port

    def get_wrapped_container(self) -> FakeContainer:
        return self

    def reload(self) -> None:
        pass

    def get_logs(self) -> tuple[bytes, bytes]:
        return self.logs

    def stop(self, **kwargs: Any) -> None:
        self.stops.append(kwargs)
        raise RuntimeError("the engine is gone")  # stop must swallow it


class FakeRun:
    def __init__(self, container: FakeContainer) -> None:
        self.made = container

    def container(self, backend: str, port: int) -> FakeContainer:
        return self.made

    def run_kwargs(self, backend: str, **extra: Any) -> dict[str, Any]:
        return dict(extra)


def test_a_jira_container_that_exits_fails_the_start_and_is_removed(tmp_path: Path) -> None:
    container = FakeContainer(status="exited", logs=(b"starting\n", b"Traceback: no seed\n"))
    backend = ContainerJiraBackend(FakeRun(container), 42, tmp_path, canary="CANARY-X")  # type: ignore[arg-type]
    with pytest.raises(ServiceExited, match=r"the jira container stopped \(exited\) during start") as err:
        backend.start()
    assert "Traceback: no seed" in str(err.value)
    # The same secrets and arguments as the local service, the secrets through the environment.
    assert container.env["JIRA_SANDBOX_TOKEN"] == backend.token and backend.token
    assert container.env["JIRA_SANDBOX_CANARY"] == "CANARY-X"
    assert container.command == backend._arguments()
    assert container.stops == [{"force": True, "delete_volume": True}]
    assert backend.container is None and backend.pid is None and not backend.running
    backend.stop()  # idempotent: the container is not stopped twice
    assert len(container.stops) == 1


def test_the_postgres_container_wait_fails_fast_with_the_log() -> None:
    container = FakeContainer(status="dead", logs=(b"", b"FATAL: bad setting\n"))
    backend = ContainerPostgresBackend(FakeRun(container))  # type: ignore[arg-type]
    backend.container = container
    backend.cluster = _ContainerCluster(container.port)  # type: ignore[assignment]
    with pytest.raises(ServiceExited, match=r"the postgres container stopped \(dead\)") as err:
        backend._wait_ready("password", timeout=5.0)
    assert "FATAL: bad setting" in str(err.value)


def test_postgres_container_stop_forgets_the_server_and_removes_the_container() -> None:
    container = FakeContainer()
    backend = ContainerPostgresBackend(FakeRun(container))  # type: ignore[arg-type]
    backend.container = container
    backend.cluster = _ContainerCluster(container.port)  # type: ignore[assignment]
    assert backend.running
    backend.stop()
    assert not backend.running and backend.cluster is None and backend.container is None
    assert container.stops == [{"force": True, "delete_volume": True}]
    backend.stop()
    assert len(container.stops) == 1


def test_a_container_without_logs_says_so() -> None:
    backend = ContainerPostgresBackend(FakeRun(FakeContainer()))  # type: ignore[arg-type]
    assert backend.log_tail() == "(no log)"  # no container yet: never raises
