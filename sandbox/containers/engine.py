"""Connect Testcontainers and the Docker SDK to whatever engine answers here.

Testcontainers reads its settings from the environment when it is imported,
and its defaults assume Docker on the machine: Ryuk (a privileged reaper
container from Docker Hub), and a connection mode guessed from files such as
`/.dockerenv`. With Podman (no registry, no Ryuk image) those guesses are
wrong, so we decide once, from the engine's `/_ping` answer, and set both the
environment (for any later import) and the already-loaded configuration.
"""

from __future__ import annotations

import os
from typing import Any

from sandbox.engine import EngineInfo, detect_engine

API_TIMEOUT = 60  # seconds per Docker API call; builds pass their own


class EngineUnavailable(RuntimeError):
    """No container engine answered on this machine."""


def is_podman(info: EngineInfo) -> bool:
    return "libpod" in info.server.lower() or "podman" in info.socket_path


def configure(info: EngineInfo) -> None:
    """Point Testcontainers at `info`'s engine; Ryuk only where it can run (Docker)."""
    os.environ.setdefault("DOCKER_HOST", info.docker_host)
    # Every port we publish is bound to 127.0.0.1 of this machine (engine.py only probes loopback).
    os.environ.setdefault("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
    os.environ.setdefault("TESTCONTAINERS_CONNECTION_MODE", "docker_host")
    if is_podman(info):
        os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    from testcontainers.core.config import ConnectionMode
    from testcontainers.core.config import testcontainers_config as tc

    tc.tc_host_override = os.environ["TESTCONTAINERS_HOST_OVERRIDE"]
    tc.connection_mode_override = ConnectionMode(os.environ["TESTCONTAINERS_CONNECTION_MODE"])
    tc.ryuk_disabled = os.environ.get("TESTCONTAINERS_RYUK_DISABLED", "").lower() in ("1", "true", "yes")


def find_engine(timeout: float = 2.0) -> EngineInfo:
    """The engine that answers `/_ping`, configured for Testcontainers; EngineUnavailable otherwise."""
    info = detect_engine(timeout=timeout)
    if info is None:
        raise EngineUnavailable(
            "no container engine answered (DOCKER_HOST, /var/run/docker.sock, /run/podman/podman.sock); "
            "start one (scripts/podman-setup.sh) or use --provider local"
        )
    configure(info)
    return info


def docker_client(info: EngineInfo | None = None, timeout: int = API_TIMEOUT) -> Any:
    """A Docker SDK client for the engine (found if not given), with a bounded per-call timeout."""
    import docker

    info = info or find_engine()
    return docker.DockerClient(base_url=info.docker_host, timeout=timeout)
