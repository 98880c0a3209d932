"""One container run: its id, labels, private network, and the clean-up that finds it again.

Every container and network of a run carries `mcp-sandbox.run=<id>` and
`mcp-sandbox.owner=<host>:<pid>`. Docker's Ryuk reaps them when the owning
process dies; Podman has no Ryuk, so `reap_orphans()` (run at every start)
and `mcp-sandbox down` find a crashed run's leftovers by those labels and
remove them: containers (with their anonymous volumes), networks, and any
volume carrying the label.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.containers import engine, images
from sandbox.engine import EngineInfo
from sandbox.procs import LOOPBACK  # containers publish their ports on the host here only

log = logging.getLogger(__name__)

LABEL_RUN = "mcp-sandbox.run"
LABEL_OWNER = "mcp-sandbox.owner"
LABEL_BACKEND = "mcp-sandbox.backend"
READY_TIMEOUT = 60.0  # per backend, from container start to a real answer


def owner_tag() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(tag: str) -> bool:
    host, _, pid = tag.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's run (a shared engine): never ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Removed:
    """What a clean-up removed, for the CLI to report."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.containers or self.networks or self.volumes)

    def summary(self) -> str:
        return (
            f"{len(self.containers)} container(s), {len(self.networks)} network(s), "
            f"{len(self.volumes)} volume(s)"
        )


def remove_runs(
    client: Any, run_id: str | None = None, keep: Callable[[dict[str, str]], bool] = lambda labels: False
) -> Removed:
    """Remove every labelled container, network and volume of `run_id` (all runs if None)."""
    selector = f"{LABEL_RUN}={run_id}" if run_id else LABEL_RUN
    removed = Removed()
    runs: set[str] = set()
    for container in client.containers.list(all=True, filters={"label": selector}):
        labels = container.labels or {}
        if keep(labels):
            continue
        runs.add(labels.get(LABEL_RUN, ""))
        with contextlib.suppress(Exception):
            container.remove(force=True, v=True)
            removed.containers.append(container.name)
    for network in client.networks.list(filters={"label": selector}):
        labels = network.attrs.get("Labels") or {}
        if keep(labels) and labels.get(LABEL_RUN) not in runs:
            continue
        with contextlib.suppress(Exception):
            network.remove()
            removed.networks.append(network.name)
    with contextlib.suppress(Exception):
        for volume in client.volumes.list(filters={"label": selector}):
            labels = volume.attrs.get("Labels") or {}
            if keep(labels) and labels.get(LABEL_RUN) not in runs:
                continue
            with contextlib.suppress(Exception):
                volume.remove(force=True)
                removed.volumes.append(volume.name)
    return removed


def reap_orphans(client: Any) -> Removed:
    """Remove the runs whose owner process (on this host) is gone: Podman's stand-in for Ryuk."""
    return remove_runs(client, keep=lambda labels: _owner_alive(labels.get(LABEL_OWNER, "")))


class ContainerRun:
    """The engine connection, images and private network shared by one sandbox's containers."""

    def __init__(self, progress: Callable[[str], None] | None = None) -> None:
        self.id = secrets.token_hex(6)
        self.progress = progress or (lambda _: None)
        self.info: EngineInfo | None = None
        self.client: Any = None
        self.network: Any = None
        self.images: dict[str, str] = {}

    @property
    def labels(self) -> dict[str, str]:
        return {LABEL_RUN: self.id, LABEL_OWNER: owner_tag()}

    def open(self, names: list[str]) -> ContainerRun:
        """Connect, reap crashed runs, make sure the images exist, create the network."""
        self.info = engine.find_engine()
        self.client = engine.docker_client(self.info)
        leftovers = reap_orphans(self.client)
        if leftovers:
            log.warning("removed a crashed run's %s", leftovers.summary())
        # Backends without an image (the identity provider) stay local processes.
        wanted = [name for name in names if name in images.SPECS]
        self.images = images.ensure_images(self.client, wanted, progress=self.progress) if wanted else {}
        from testcontainers.core.network import Network

        self.network = Network(docker_network_kw={"labels": self.labels, "driver": "bridge"})
        self.network.name = f"mcp-sandbox-{self.id}"
        self.network.create()
        return self

    def container(self, backend: str, port: int) -> Any:
        """A Testcontainers container of `backend`'s image on this run's network, `port` on 127.0.0.1."""
        from testcontainers.core.container import DockerContainer

        container = DockerContainer(self.images[backend]).with_network(self.network)
        container.with_network_aliases(backend)
        # Publish on the host's loopback only, on a port the engine picks: `(ip,)` in the SDK's terms.
        container.ports[f"{port}/tcp"] = (LOOPBACK,)  # type: ignore[assignment]
        container.with_name(f"mcp-sandbox-{self.id}-{backend}")
        return container

    def run_kwargs(self, backend: str, **extra: Any) -> dict[str, Any]:
        return {"labels": {**self.labels, LABEL_BACKEND: backend}, **extra}

    def close(self) -> None:
        """Remove everything of this run (containers first, then the network); never raises."""
        if self.client is None:
            return
        try:
            remove_runs(self.client, self.id)
        except Exception:
            log.exception("removing run %s failed", self.id)
        with contextlib.suppress(Exception):
            self.client.close()
        self.client = None
        self.network = None
