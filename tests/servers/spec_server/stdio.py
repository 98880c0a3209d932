"""stdio transport: one JSON message per line on stdout, logs on stderr (STDIO-01..05).

The reader runs on the main thread and hands each line to `Server.accept` in order;
`tools/call` work runs on its own daemon thread (so `slow` can be cancelled while
the reader keeps going), and every write takes one lock so lines never interleave.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
import time
from typing import Any, BinaryIO

from .core import Conn, Server, encode
from .faults import Faults


def log(text: str) -> None:
    """Diagnostics go to stderr only; stdout is reserved for protocol messages (STDIO-02)."""
    print(f"spec-server: {text}", file=sys.stderr, flush=True)


class Writer:
    """Serialises and writes messages; the stdio-only faults bend the bytes here."""

    def __init__(self, out: BinaryIO, faults: Faults) -> None:
        self.out = out
        self.faults = faults
        self.lock = threading.Lock()
        self.dead = False
        self.responses = 0

    def raw(self, data: bytes) -> None:
        with self.lock:
            if self.dead:
                return
            try:
                self.out.write(data)
                self.out.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.dead = True  # the client went away; keep reading stdin until EOF

    def send(self, msg: Any) -> None:
        if isinstance(msg, dict) and "__raw__" in msg:  # STDIO-02-debug-print
            self.raw(msg["__raw__"].encode() + b"\n")
            return
        indent = 2 if self.faults.on("STDIO-01-pretty-print") else None
        text = encode(msg, indent=indent) + ("\r\n" if self.faults.on("STDIO-01-crlf") else "\n")
        data = text.encode("latin-1", "replace") if self.faults.on("STDIO-04-latin1") else text.encode()
        self.raw(data)
        if isinstance(msg, dict) and "id" in msg and "method" not in msg:
            self.responses += 1
            if self.responses == 1 and self.faults.on("LIVE-02-close-stdout"):
                with self.lock:
                    self.dead = True
                    self.out.close()
                    os.close(1)

    def send_all(self, messages: list[Any]) -> None:
        for msg in messages:
            self.send(msg)


def _binary_garbage() -> bytes:
    """4 KiB of seeded random bytes in which every line is invalid UTF-8.

    Random bytes sometimes make a line such as ``7`` - valid JSON that is no JSON-RPC message,
    which is RPC-01's, not this fault's. A leading 0xFF (never valid UTF-8) keeps every line
    STDIO-02's alone, and the seed keeps the run the same every time.
    """
    lines = random.Random(2026).randbytes(4096).split(b"\n")
    return b"\n".join(b"\xff" + line for line in lines) + b"\n"


def _startup_faults(faults: Faults, writer: Writer) -> None:
    if faults.on("STDIO-02-banner"):
        writer.raw(b"MCP spec server 0.1.0 starting... ready!\n")
    if faults.on("STDIO-02-binary-garbage"):
        writer.raw(_binary_garbage())
    if faults.on("STDIO-02-flood"):
        chunk = (b"junk " * 19 + b"junk\n") * 10_000  # 1,000,000 bytes
        for _ in range(100):
            writer.raw(chunk)
            if writer.dead:
                break


def serve_stdio(server: Server) -> int:
    faults = server.faults
    if faults.on("HARN-03-exit-at-once"):
        log("exiting at once (fault HARN-03-exit-at-once)")
        return 1
    if faults.on("LIVE-01-ignore-sigterm-and-hang"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    writer = Writer(sys.stdout.buffer, faults)
    conn = Conn(transport="stdio", send=writer.send)
    log(f"stdio ready; versions={','.join(server.versions)} faults={','.join(sorted(faults.names)) or '-'}")
    _startup_faults(faults, writer)
    stdin = sys.stdin.buffer
    workers: list[threading.Thread] = []
    while True:
        line = stdin.readline()
        if not line:
            break
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        work = server.accept(line, conn, writer.send)
        if work.concurrent:
            worker = threading.Thread(target=lambda w=work: writer.send_all(w()), daemon=True)
            worker.start()
            workers = [w for w in workers if w.is_alive()] + [worker]
        else:
            writer.send_all(work())
    conn.closed = True
    deadline = time.monotonic() + 0.5  # let quick in-flight calls answer, but exit well within 1 s
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    if faults.on("STDIO-05-ignore-stdin-close") or faults.on("LIVE-01-ignore-sigterm-and-hang"):
        log("stdin closed; staying alive (fault)")
        threading.Event().wait()
    log("stdin closed; exiting")
    sys.stderr.flush()
    os._exit(0)  # in-flight daemon threads (a `slow` call) must not delay the exit (STDIO-05)
