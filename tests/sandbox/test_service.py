"""`sandbox.service.LocalService` and `sandbox.wait`, on a stand-in service (Python's http.server).

The Jira service and the identity provider are proven end to end in their own
modules; these tests pin the shared life on its own, in about a second: `with`
gives back the started service, a start that dies fails fast with the log, and
a failed start leaves no process behind.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from sandbox.procs import free_port
from sandbox.service import LocalService
from sandbox.wait import ServiceExited, wait_until


class StaticFiles(LocalService):
    """`python -m http.server` serving its work directory: ready when `/` answers 200."""

    name = "static"
    module = "http.server"
    what = "static file server"
    log_name = "static.log"
    ready_path = "/"
    stop_grace = 2.0

    def _command(self) -> list[str]:
        # http.server has its own flags and no owner pipe; stop() still reaps it.
        return [sys.executable, "-m", self.module, "--bind", "127.0.0.1", "--directory", str(self.workdir),
                str(self.port)]  # fmt: skip


class DiesAtOnce(StaticFiles):
    def _command(self) -> list[str]:
        return [sys.executable, "-c", "import sys; print('cannot start: no such thing'); sys.exit(3)"]


class FailsAfterReady(StaticFiles):
    def _on_ready(self) -> None:
        raise RuntimeError("the post-start hook failed")


def gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_with_gives_the_started_service_and_stops_it(tmp_path: Path) -> None:
    with StaticFiles(tmp_path) as service:
        assert isinstance(service, StaticFiles)
        pid = service.pid
        assert pid is not None and service.running
        assert service.start() is service  # idempotent: the same process
        assert service.pid == pid
        assert service.url == f"http://127.0.0.1:{service.port}"
    assert service.pid is None and not service.running
    assert gone(pid)
    service.stop()  # idempotent


def test_a_start_that_dies_fails_fast_with_the_log(tmp_path: Path) -> None:
    service = DiesAtOnce(tmp_path)
    with pytest.raises(ServiceExited, match="static file server exited with 3") as err:
        service.start()
    assert "cannot start: no such thing" in str(err.value)
    assert service.pid is None


def test_with_cleans_up_a_failed_start(tmp_path: Path) -> None:
    service = FailsAfterReady(tmp_path)
    started: list[int] = []
    original = service._on_ready

    def remember_then_fail() -> None:
        assert service.pid is not None
        started.append(service.pid)
        original()

    service._on_ready = remember_then_fail  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="post-start hook"), service:
        pytest.fail("the body must not run after a failed start")
    assert started and gone(started[0])
    assert service.pid is None


def test_wait_until_names_the_service_on_timeout() -> None:
    with pytest.raises(TimeoutError, match="slowpoke did not answer within 0 s"):
        wait_until(lambda: False, what="slowpoke", timeout=0.1, log_tail=lambda: "last words")


def test_wait_until_stops_at_the_exit_check() -> None:
    probes: list[int] = []
    with pytest.raises(ServiceExited, match="gone exited with 1 during start:\nlast words"):
        wait_until(lambda: bool(probes.append(1)), what="gone", exited=lambda: "exited with 1",
                   log_tail=lambda: "last words")  # fmt: skip
    assert probes == []  # a dead service is never probed: another process may hold its port


def test_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
