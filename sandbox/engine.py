"""Is a container engine answering? A fast, never-hanging probe.

The docker client's default timeout is 60 s and it retries; the `auto`
provider must decide in well under a second on a machine without an engine.
We send one raw `GET /_ping` over the unix socket with a short timeout.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlparse

CANDIDATE_SOCKETS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/podman/podman.sock",
)


@dataclass(frozen=True)
class EngineInfo:
    """A container engine that answered `/_ping`."""

    socket_path: str
    docker_host: str  # what to export as DOCKER_HOST
    server: str  # the `Server:` header (e.g. "Libpod/5.4.2 (linux)"), may be empty
    ping_ms: float


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _candidates() -> list[str]:
    """Unix socket paths, or `tcp://` loopback addresses, to probe in order."""
    paths: list[str] = []
    host = os.environ.get("DOCKER_HOST", "")
    if host:
        parsed = urlparse(host)
        if parsed.scheme == "unix":
            paths.append(parsed.path)
        elif parsed.scheme == "tcp" and parsed.hostname in LOOPBACK and parsed.port:
            paths.append(f"tcp://{parsed.hostname}:{parsed.port}")
        # Other tcp:// engines are not probed: the sandbox only talks to this machine.
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        paths += [os.path.join(xdg, "podman", "podman.sock"), os.path.join(xdg, "docker.sock")]
    paths += list(CANDIDATE_SOCKETS)
    seen: list[str] = []
    for path in paths:
        if path and path not in seen:
            seen.append(path)
    return seen


def _open(target: str, timeout: float) -> socket.socket:
    if target.startswith("tcp://"):
        parsed = urlparse(target)
        assert parsed.hostname in LOOPBACK and parsed.port
        return socket.create_connection((parsed.hostname, parsed.port), timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(target)
    except BaseException:
        sock.close()
        raise
    return sock


def ping(socket_path: str, timeout: float = 2.0) -> EngineInfo | None:
    """`GET /_ping` on a unix socket (or `tcp://` loopback address); None unless HTTP 200 "OK" in time."""
    is_tcp = socket_path.startswith("tcp://")
    if not is_tcp and not os.path.exists(socket_path):
        return None
    started = time.monotonic()
    deadline = started + timeout
    try:
        with _open(socket_path, timeout) as sock:
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            response = b""
            while len(response) < 65536:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                sock.settimeout(remaining)
                chunk = sock.recv(4096)
                if not chunk:
                    break
                response += chunk
    except OSError:
        return None
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or " 200 " not in f"{lines[0]} " or body.strip() != b"OK":
        return None
    server = ""
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "server":
            server = value.strip()
    docker_host = socket_path if is_tcp else f"unix://{socket_path}"
    return EngineInfo(socket_path, docker_host, server, (time.monotonic() - started) * 1000)


def detect_engine(timeout: float = 2.0) -> EngineInfo | None:
    """The first engine that answers, trying DOCKER_HOST then the usual sockets; total time <= timeout."""
    deadline = time.monotonic() + timeout
    for path in _candidates():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        with contextlib.suppress(Exception):
            info = ping(path, remaining)
            if info is not None:
                return info
    return None
