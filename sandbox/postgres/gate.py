"""A TCP gate in front of PostgreSQL: how the sandbox makes the database refuse or stall.

The server under test reaches PostgreSQL only through this relay (its DSNs in
`env()` name the gate's port); the sandbox's own connections (fingerprint,
reset, oracle) go straight to the cluster, so an injected fault never blinds
the oracle. Breaking the database itself (role changes, `pg_hba`, stopping the
postmaster) would move the fingerprint and show up as false side effects.

Faults:
- `refuse`: new connections are accepted and reset at once (the client sees
  "connection reset" / "server closed the connection unexpectedly"), and every
  open relayed connection is cut, so a server with a pool notices too.
- `delay_ms`: a new connection waits that long before it reaches PostgreSQL;
  an already open one waits once, before the first message it sends after the
  fault was set. A query is slowed, not each packet of its answer.

The relay is an asyncio loop on one daemon thread of the process that owns
the sandbox; stop() closes it and every connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import threading
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
CHUNK = 256 * 1024
CONNECT_TIMEOUT_S = 10.0
MAX_DELAY_MS = 120_000


@dataclass
class GateStats:
    """What the gate has seen since it started; for tests and the report."""

    relayed: int = 0
    refused: int = 0
    cut: int = 0
    delayed: int = 0


@dataclass(eq=False)  # identity hashing: links live in a set
class _Link:
    """One relayed client connection and the fault generation it has already been delayed for."""

    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    delayed_for: int = -1
    tasks: list[asyncio.Task] = field(default_factory=list)

    def abort(self) -> None:
        for writer in (self.client, self.upstream):
            if writer is not None:
                _reset(writer)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), like a crashed or refusing server; never raises."""
    with contextlib.suppress(Exception):
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(Exception):
        writer.transport.abort()


class PgGate:
    """A loopback relay to `upstream_host:upstream_port` with switchable faults."""

    def __init__(self, upstream_port: int, upstream_host: str = LOOPBACK) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.stats = GateStats()
        self._refuse = False
        self._delay_ms = 0
        self._generation = 0
        self._links: set[_Link] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 10.0) -> PgGate:
        """Listen on a free loopback port; returns once connections are accepted."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._accept, LOOPBACK, 0, reuse_address=True)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # reported to start(); the thread ends
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=run, name="sandbox-pg-gate", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError(f"the PostgreSQL gate did not start within {timeout:.0f} s")
        if failure:
            self._thread = None
            raise RuntimeError(f"the PostgreSQL gate could not listen: {failure[0]}") from failure[0]
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listener and every relayed connection; idempotent, never raises."""
        loop, thread = self._loop, self._thread
        self._thread = None
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop already closed
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if thread.is_alive():
            log.warning("the PostgreSQL gate thread did not stop within %.0f s", timeout)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.abort()
            for task in link.tasks:
                task.cancel()
        self._links.clear()

    # ------------------------------------------------------------------ faults

    @property
    def faults(self) -> dict[str, object]:
        return {"refuse": self._refuse, "delay_ms": self._delay_ms}

    def set_faults(self, refuse: bool = False, delay_ms: int = 0) -> None:
        """Switch the faults (both off by default); `refuse` also cuts every open connection."""
        if not 0 <= int(delay_ms) <= MAX_DELAY_MS:
            raise ValueError(f"delay_ms must be between 0 and {MAX_DELAY_MS}")
        self._call(self._apply, bool(refuse), int(delay_ms))

    def clear_faults(self) -> None:
        self.set_faults()

    def _apply(self, refuse: bool, delay_ms: int) -> None:
        self._refuse, self._delay_ms = refuse, delay_ms
        self._generation += 1
        if refuse:
            for link in list(self._links):
                self.stats.cut += 1
                link.abort()

    def _call(self, function, *args, timeout: float = 5.0) -> None:
        """Run `function(*args)` on the loop and wait for it, so a fault is in force on return."""
        loop = self._loop
        if loop is None or self._thread is None:
            raise RuntimeError("the PostgreSQL gate is not running")
        done = threading.Event()

        def call() -> None:
            try:
                function(*args)
            finally:
                done.set()

        loop.call_soon_threadsafe(call)
        if not done.wait(timeout):
            raise RuntimeError("the PostgreSQL gate did not apply the fault in time")

    # ------------------------------------------------------------------ relay

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._refuse:
            self.stats.refused += 1
            _reset(writer)
            return
        link = _Link(client=writer)
        self._links.add(link)
        try:
            await self._delay(link)
            if self._refuse or link not in self._links:
                _reset(writer)
                return
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(*self.upstream), CONNECT_TIMEOUT_S
            )
            link.upstream = up_writer
            self.stats.relayed += 1
            link.tasks = [
                asyncio.current_task(),  # type: ignore[list-item]
                asyncio.ensure_future(self._pipe(up_reader, writer, None)),
            ]
            await self._pipe(reader, up_writer, link)
        except (TimeoutError, OSError, asyncio.CancelledError):
            pass
        finally:
            self._links.discard(link)
            if self._refuse:
                link.abort()
            else:
                for end in (link.client, link.upstream):
                    with contextlib.suppress(Exception):
                        if end is not None:
                            end.close()
            for task in link.tasks[1:]:
                task.cancel()

    async def _delay(self, link: _Link) -> None:
        """Sleep once per fault generation while a delay is in force."""
        if self._delay_ms and link.delayed_for != self._generation:
            link.delayed_for = self._generation
            self.stats.delayed += 1
            await asyncio.sleep(self._delay_ms / 1000)
        link.delayed_for = self._generation

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, link: _Link | None
    ) -> None:
        """Copy until EOF; `link` is given for the client-to-server direction, where delays apply."""
        try:
            while True:
                data = await source.read(CHUNK)
                if not data:
                    break
                if link is not None:
                    await self._delay(link)
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            if link is None and self._refuse:  # the server side was cut: so is the client's
                _reset(sink)
            else:
                with contextlib.suppress(Exception):
                    sink.close()
