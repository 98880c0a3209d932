"""Engine detection: answers fast, never hangs, on real unix sockets."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from sandbox import engine


def _serve(path: Path, reply: bytes | None) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def run() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            conn.recv(4096)
            if reply is None:
                time.sleep(3)  # never answer in time
            else:
                conn.sendall(reply)

    threading.Thread(target=run, daemon=True).start()
    return server


def test_ping_answering_engine(tmp_path: Path) -> None:
    path = tmp_path / "ok.sock"
    server = _serve(path, b"HTTP/1.1 200 OK\r\nServer: Libpod/5.4.2 (linux)\r\nContent-Length: 2\r\n\r\nOK")
    with server:
        info = engine.ping(str(path), timeout=2)
    assert info is not None and info.server.startswith("Libpod") and info.docker_host == f"unix://{path}"


def test_silent_socket_times_out(tmp_path: Path) -> None:
    path = tmp_path / "silent.sock"
    with _serve(path, None):
        started = time.monotonic()
        assert engine.ping(str(path), timeout=0.3) is None
        assert time.monotonic() - started < 1.0


def test_missing_socket_and_docker_host(tmp_path: Path, monkeypatch) -> None:
    assert engine.ping(str(tmp_path / "nope.sock")) is None
    path = tmp_path / "env.sock"
    with _serve(path, b"HTTP/1.0 200 OK\r\n\r\nOK"):
        monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
        info = engine.detect_engine(timeout=2)
    assert info is not None and info.socket_path == str(path)


def test_detect_engine_is_bounded() -> None:
    started = time.monotonic()
    engine.detect_engine(timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_tcp_docker_host_on_loopback_only(monkeypatch) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def run() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nServer: Docker/27\r\n\r\nOK")

    threading.Thread(target=run, daemon=True).start()
    with server:
        monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
        info = engine.detect_engine(timeout=2)
    assert info is not None and info.docker_host == f"tcp://127.0.0.1:{port}"
    monkeypatch.setenv("DOCKER_HOST", "tcp://192.0.2.1:2375")  # never probed: not this machine
    assert "tcp://192.0.2.1:2375" not in engine._candidates()
