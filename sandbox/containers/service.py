"""What the container backends share: the container handle, its exit, its log, its removal.

The container backends subclass the local ones (so fingerprint, reset and the
admin APIs are inherited unchanged) and replace only start and stop. The parts
of start and stop that are about the container itself were written twice, in
the Jira and the PostgreSQL container backends; they live here once, as a
mixin listed before the local base class.
"""

from __future__ import annotations

import contextlib
from typing import Any

DEAD_STATES = ("exited", "dead")


class InContainer:
    """Mixin for a backend whose service runs in `self.container` (a Testcontainers container)."""

    container: Any = None

    @property
    def pid(self) -> int | None:
        """None: the engine holds the process, not us."""
        return None

    def _container_exited(self) -> str | None:
        """The `sandbox.wait` exit check for the container (one engine API call)."""
        wrapped = self.container.get_wrapped_container()
        wrapped.reload()
        return f"stopped ({wrapped.status})" if wrapped.status in DEAD_STATES else None

    def log_tail(self, lines: int = 30) -> str:
        """The container's last log lines (stdout and stderr), for error messages; never raises."""
        with contextlib.suppress(Exception):
            out, err = self.container.get_logs()
            return "\n".join((out + err).decode(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def _remove_container(self) -> None:
        """Stop and remove the container with its anonymous volumes; idempotent, never raises."""
        container, self.container = self.container, None
        if container is not None:
            with contextlib.suppress(Exception):
                container.stop(force=True, delete_volume=True)
