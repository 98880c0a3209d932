"""The server under test, as the user described it on the command line.

`--server-cmd` alone: a fresh process per connection over stdio.
`--server-url` alone: an already-running Streamable HTTP server.
Both: the harness launches the command once (own process group, reaped at the
end) and speaks HTTP to the URL; `{port}` in either is replaced by a free port.
"""

from __future__ import annotations

import shlex
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

from harness.transport.base import ServerNotStarted, Transport
from harness.transport.stdio import ExitHabits, StdioTransport
from harness.transport.transcript import Transcript


@dataclass
class ServerTarget:
    command: str | None = None
    url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 10.0
    startup_timeout: float = 20.0
    # stdio: keep this many server processes spawned ahead, so a test that needs a fresh
    # one does not wait for its start-up (a Python SDK server takes ~2 s, and the lifecycle
    # tests want nine in a row). 0 with a sandbox: a spare that writes while it starts
    # would look like a side effect of whatever request was in flight then.
    prefetch: int = 0
    # how this command's processes end (closed stdin, SIGTERM), learnt by the first ones
    exit_habits: ExitHabits = field(default_factory=ExitHabits)
    _launched: StdioTransport | None = None
    _spares: list[StdioTransport] = field(default_factory=list)  # oldest first

    @property
    def transport_kind(self) -> str:
        return "http" if self.url else "stdio"

    def describe(self) -> str:
        if self.url and self.command:
            return f"{self.command} (HTTP at {self.url})"
        return self.url or self.command or "(none)"

    def resolve_port(self) -> None:
        """Replace `{port}` by a free port, once (the AUTH set-up needs the URL before launch)."""
        if self.url and "{port}" in self.url:
            port = free_port()
            self.url = self.url.replace("{port}", str(port))
            if self.command:
                self.command = self.command.replace("{port}", str(port))

    def prepare(self) -> None:
        """Resolve `{port}` and, for a launched HTTP server, start it once and wait for it."""
        self.resolve_port()
        if self.url and self.command and self._launched is None:
            launched = StdioTransport(self.command, env=self.env, cwd=self.cwd)
            launched.start()
            self._launched = launched
            wait_for_port(self.url, self.startup_timeout, launched)

    def connect(self, transcript: Transcript | None = None) -> Transport:
        """A started transport: a new process (stdio) or a new HTTP client."""
        transport: Transport
        if self.url:
            # imported here: httpx costs ~0.2 s to import, which a stdio run need not pay
            from harness.transport.http import HttpTransport

            transport = HttpTransport(
                self.url, headers=self.headers, transcript=transcript, timeout=self.timeout
            )
        else:
            return self._stdio(transcript)
        transport.start()
        return transport

    def _stdio(self, transcript: Transcript | None) -> StdioTransport:
        """A fresh server process: the spare when one is waiting, and a new spare behind it."""
        assert self.command, "no server command"
        spare = self._spares.pop(0) if self._spares else None
        if spare is not None and (spare.proc is None or spare.proc.poll() is not None):
            spare.close(grace=0.0)  # it died waiting (its stderr is lost with it): start afresh
            spare = None
        transport = spare or self._spawn()
        transport.start_reading(transcript)
        while len(self._spares) < self.prefetch:
            self._spares.append(self._spawn())
        return transport

    def _spawn(self) -> StdioTransport:
        transport = StdioTransport(self.command or "", env=self.env, cwd=self.cwd, habits=self.exit_habits)
        transport.spawn()
        return transport

    def launched_alive(self) -> bool:
        return self._launched is None or (
            self._launched.proc is not None and self._launched.proc.poll() is None
        )

    def shutdown(self) -> None:
        for spare in self._spares:
            spare.close(grace=0.0)
        self._spares.clear()
        if self._launched is not None:
            self._launched.close(grace=0.5)
            self._launched = None

    @property
    def launched_stderr(self) -> str:
        return self._launched.transcript.stderr_text() if self._launched else ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(url: str, timeout: float, launched: StdioTransport | None = None) -> None:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if launched is not None and launched.proc is not None and launched.proc.poll() is not None:
            raise ServerNotStarted(
                f"server command exited with {launched.proc.poll()} before listening on {url}; "
                f"stderr:\n{launched.transcript.stderr_text(1500)}"
            )
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerNotStarted(f"nothing listening on {url} after {timeout:g}s: {shlex.quote(url)}")
