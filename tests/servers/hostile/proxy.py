"""A hostile stdio proxy in front of a correct server (stdlib only).

    python tests/servers/hostile/proxy.py MODE -- <server command ...>

Why a proxy and not another server: the behaviours below are about how bytes
reach the client, not about MCP itself. Wrapping the spec server keeps every
answer correct, so whatever the harness reports is caused by the one hostile
behaviour and nothing else.

Modes:

- ``half-frame``: the first answer to ``tools/list`` is cut in half and ended
  with a newline (a truncated line); everything else is relayed intact.
- ``half-frame-exit``: the first answer to ``tools/call`` is cut in half, with
  no newline, and the proxy exits at once (EOF in the middle of a line).
- ``fork-and-exit``: on the first ``tools/call`` the proxy forks two children
  that sleep for 1000 s holding stdout open, one in the process group and one
  that double-forks into its own session (escaping ``killpg``), then exits.
- ``out-of-order``: two responses in a row are swapped (a response is held up
  to 30 ms; if the next line is also a response, that one goes first).
  JSON-RPC allows this, so the harness must not flag anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

MODES = ("half-frame", "half-frame-exit", "fork-and-exit", "out-of-order")
HOLD_SECONDS = 0.03


class Relay:
    """Copies lines between the client and the wrapped server, bending stdout by mode."""

    def __init__(self, mode: str, child: subprocess.Popen[bytes]) -> None:
        self.mode = mode
        self.child = child
        self.out = sys.stdout.buffer
        self.lock = threading.Lock()
        self.methods: dict[str, str] = {}  # request id (JSON) -> method, from the client's lines
        self.done: set[str] = set()  # modes that fire once
        self.held: bytes | None = None
        self.held_at = 0.0

    # -- client -> server ------------------------------------------------------
    def pump_stdin(self) -> None:
        stdin = sys.stdin.buffer
        assert self.child.stdin is not None
        while line := stdin.readline():
            message = _parse(line)
            if isinstance(message, dict) and "method" in message and "id" in message:
                self.methods[json.dumps(message["id"])] = str(message["method"])
            try:
                self.child.stdin.write(line)
                self.child.stdin.flush()
            except OSError:
                break
        try:
            self.child.stdin.close()
        except OSError:
            pass

    # -- server -> client ------------------------------------------------------
    def pump_stdout(self) -> None:
        assert self.child.stdout is not None
        if self.mode == "out-of-order":
            threading.Thread(target=self._flush_late, daemon=True).start()
        while line := self.child.stdout.readline():
            self.on_line(line)
        with self.lock:
            self._flush_held()

    def on_line(self, line: bytes) -> None:
        answers = self._answers(line)
        if self.mode == "half-frame" and answers == "tools/list" and self._once("cut"):
            self._write(line[: len(line) // 2] + b"\n")
        elif self.mode == "half-frame-exit" and answers == "tools/call":
            self._write(line[: len(line) // 2])
            os._exit(0)
        elif self.mode == "fork-and-exit" and answers == "tools/call":
            _fork_lingering_children()
            self.child.kill()
            os._exit(0)
        elif self.mode == "out-of-order":
            self._reorder(line, answers is not None)
        else:
            self._write(line)

    def _reorder(self, line: bytes, is_response: bool) -> None:
        with self.lock:
            if self.held is not None and is_response:
                held, self.held = self.held, None
                self._raw(line)
                self._raw(held)  # the older answer second
                return
            self._flush_held()
            if is_response:
                self.held, self.held_at = line, time.monotonic()
            else:
                self._raw(line)

    def _flush_late(self) -> None:
        while True:
            time.sleep(HOLD_SECONDS / 3)
            with self.lock:
                if self.held is not None and time.monotonic() - self.held_at >= HOLD_SECONDS:
                    self._flush_held()

    def _flush_held(self) -> None:
        if self.held is not None:
            held, self.held = self.held, None
            self._raw(held)

    def _answers(self, line: bytes) -> str | None:
        """The method a response line answers, None for anything else."""
        message = _parse(line)
        if isinstance(message, dict) and "method" not in message and "id" in message:
            return self.methods.get(json.dumps(message["id"]), "?")
        return None

    def _once(self, key: str) -> bool:
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def _write(self, data: bytes) -> None:
        with self.lock:
            self._raw(data)

    def _raw(self, data: bytes) -> None:
        try:
            self.out.write(data)
            self.out.flush()
        except OSError:
            pass


def _parse(line: bytes) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def _fork_lingering_children() -> None:
    """One child stays in our process group; a grandchild escapes it with setsid()."""
    if os.fork() == 0:
        _linger()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            _linger()
        os._exit(0)
    os.wait()  # the intermediate child: its grandchild is now an orphan in its own session


def _linger() -> None:
    try:
        time.sleep(1000)
    finally:
        os._exit(0)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in MODES or argv[1] != "--":
        print(f"usage: proxy.py {{{'|'.join(MODES)}}} -- COMMAND ...", file=sys.stderr)
        return 2
    child = subprocess.Popen(argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    relay = Relay(argv[0], child)
    threading.Thread(target=relay.pump_stdin, daemon=True).start()
    relay.pump_stdout()
    return child.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
