"""Sample the server process (RSS, open fds) and its database connections while the soak runs.

Why a thread: the driver's loop is busy keeping calls in flight; a sample must
come every `interval` seconds whatever the calls do, so a leak shows as a
trend over time. Reads /proc (Linux) for the server's own process; without a
process to read (a remote URL) only the database connections are sampled.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the soak started
    calls: int  # calls answered by then
    rss_mb: float | None
    fds: int | None
    db_connections: int | None


def rss_mb(pid: int) -> float | None:
    """Resident set size of `pid` in MiB (None when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def open_fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


class Sampler:
    """Samples every `interval` seconds on a daemon thread until `stop()` (joined with a timeout)."""

    def __init__(
        self,
        pid: int | None,
        calls: Callable[[], int],
        connections: Callable[[], int] | None = None,
        interval: float = 0.2,
    ) -> None:
        self.pid = pid
        self.calls = calls
        self.connections = connections
        self.interval = interval
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)
        self._started = 0.0

    def start(self) -> Sampler:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join(timeout=5.0)
        return self.samples

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.sample())
            self._stop.wait(self.interval)

    def sample(self) -> Sample:
        connections = None
        if self.connections is not None:
            try:
                connections = self.connections()
            except Exception:  # a sample that cannot be taken is a gap, not a crash
                connections = None
        return Sample(
            at=round(time.monotonic() - self._started, 3),
            calls=self.calls(),
            rss_mb=None if self.pid is None else rss_mb(self.pid),
            fds=None if self.pid is None else open_fds(self.pid),
            db_connections=connections,
        )
