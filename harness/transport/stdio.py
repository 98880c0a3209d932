"""stdio transport: spawn the server, newline-delimited JSON on its pipes.

The server runs in its own process group so that closing kills it and every
child it forked, even when it ignores SIGTERM. Reader threads keep the pipes
drained (a server flooding stdout cannot fill memory: lines are cut at
`max_line` and junk is only counted) and never block the caller: every read
has a timeout.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shlex
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.transport.base import (
    Failure,
    Inbox,
    Incoming,
    ReadTimeout,
    ServerGone,
    ServerNotStarted,
    encode,
)
from harness.transport.transcript import Transcript

MAX_LINE = 16 << 20  # a single frame above 16 MiB is treated as noise
NOISE_KEEP = 50
MULTILINE_NOTE = "one message spread over several lines"
CRLF_NOTE = "CRLF line ending"
NOT_UTF8_NOTE = "frame is not valid UTF-8"  # noise frames kept in full; later ones are only counted

# Every server process carries this variable, and so does everything it forks:
# close() finds descendants that left the process group (setsid, double fork) by it.
MARKER_ENV = "MCP_HARNESS_SERVER_TOKEN"
_TOKENS = itertools.count(1)

_LIVE: weakref.WeakSet[StdioTransport] = weakref.WeakSet()

TERM_GRACE = 2.0  # seconds a server gets to exit on SIGTERM before SIGKILL
# Once a server of a run has ignored closed stdin (or SIGTERM) for a whole grace, the
# next processes of that command get this long for it: STDIO-05 is judged by its own
# test, and every other teardown would only pay the same seconds again (2-4 s each).
LEARNED_GRACE = 0.05
LEARN_AFTER = 1.0  # a grace shorter than this (a spare's 0) teaches nothing


@dataclass
class ExitHabits:
    """How the processes of one server command have ended so far: shared by a run's transports."""

    ignores_stdin_close: bool = False
    ignores_sigterm: bool = False


def _reap_all() -> None:
    for transport in list(_LIVE):
        transport.close(grace=0.2)


atexit.register(_reap_all)


class StdioTransport:
    """A server process spoken to over stdin/stdout."""

    kind = "stdio"

    def __init__(
        self,
        command: str | Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        transcript: Transcript | None = None,
        max_line: int = MAX_LINE,
        habits: ExitHabits | None = None,
    ) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.transcript = transcript or Transcript()
        self.max_line = max_line
        self.habits = habits or ExitHabits()
        self.inbox = Inbox()
        self.proc: subprocess.Popen[bytes] | None = None
        self.noise_count = 0
        self.noise_bytes = 0
        self.crlf_lines = 0
        self.stdout_closed_at: float | None = None
        self.exit_code: int | None = None
        self.kill_needed: str | None = None  # "TERM" or "KILL" when closing needed a signal
        self._closed = False
        self._partial: list[str] = []
        self._write_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._token = f"{os.getpid()}.{next(_TOKENS)}.{time.monotonic_ns()}"
        self._pids_before: set[int] = set()

    # -- life cycle ---------------------------------------------------------
    def start(self) -> None:
        """Spawn the server and start reading its output."""
        self.spawn()
        self.start_reading()

    def spawn(self) -> None:
        """Start the process only. Until `start_reading`, its output waits in the pipes
        (a server that writes much blocks there), which is what a spare process wants."""
        env = os.environ.copy()
        if self.env:
            env.update(self.env)
        env[MARKER_ENV] = self._token
        self._pids_before = _pids()
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                cwd=self.cwd,
                start_new_session=True,
                bufsize=-1,
            )
        except (OSError, ValueError) as exc:
            raise ServerNotStarted(f"cannot start {shlex.join(self.argv)!r}: {exc}") from exc
        _LIVE.add(self)

    def start_reading(self, transcript: Transcript | None = None) -> None:
        """Read stdout and stderr from now on, into `transcript` when given."""
        assert self.proc is not None, "spawn() first"
        if transcript is not None:
            self.transcript = transcript
        self.transcript.record("event", "stdio", f"started pid {self.proc.pid}: {shlex.join(self.argv)}")
        for target, name in ((self._read_stdout, "stdout"), (self._read_stderr, "stderr")):
            thread = threading.Thread(target=target, name=f"mcp-{name}-{self.proc.pid}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self.stdout_closed_at is None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def close_stdin(self) -> None:
        if self.proc and self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            self.transcript.record("event", "stdio", "closed stdin")

    def wait_exit(self, timeout: float) -> int | None:
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self, grace: float = 2.0) -> None:
        """Close stdin, wait `grace`, then TERM and KILL the whole process group."""
        proc = self.proc
        if proc is None or self._closed:
            return
        self._closed = True
        self.close_stdin()
        habits = self.habits
        stdin_grace = min(grace, LEARNED_GRACE) if habits.ignores_stdin_close else grace
        code = self.wait_exit(stdin_grace)
        if code is None:
            habits.ignores_stdin_close |= stdin_grace >= LEARN_AFTER
            self.kill_needed = "TERM"
            _killpg(proc.pid, signal.SIGTERM)
            code = self.wait_exit(LEARNED_GRACE if habits.ignores_sigterm else TERM_GRACE)
            if code is None and not habits.ignores_sigterm:
                habits.ignores_sigterm = True
        if code is None:
            self.kill_needed = "KILL"
            _killpg(proc.pid, signal.SIGKILL)
            self.wait_exit(5.0)
        # children the server forked stay in its group: end them too
        _killpg(proc.pid, signal.SIGKILL)
        # and those that left the group (setsid, daemonised) still carry the token
        _kill_marked(self._token, self._pids_before)
        self.exit_code = proc.poll()
        if not self._threads:  # spawned, never read (a spare): nothing else holds its pipes
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()
        for stream, reader in zip((proc.stdout, proc.stderr), self._threads, strict=False):
            # Closing a stream its reader is blocked on waits for the reader's lock, i.e.
            # forever while a process we could not kill holds the pipe open: leave such
            # a stream to its daemon reader, which ends at EOF.
            reader.join(timeout=0.5)
            if reader.is_alive():
                continue
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        _LIVE.discard(self)
        if self.exit_code is not None:
            self.transcript.record("event", "stdio", f"exited with {self.exit_code}")

    # -- sending ------------------------------------------------------------
    def send(self, message: Any, headers: dict[str, str] | None = None) -> None:
        data = encode(message)
        self._write(data + b"\n", message)

    def send_raw(self, data: bytes, headers: dict[str, str] | None = None) -> None:
        self._write(data, None)

    def _write(self, data: bytes, message: Any) -> None:
        proc = self.proc
        if proc is None or proc.stdin is None:
            raise ServerGone("server not started")
        self.transcript.record("send", "stdio", data.rstrip(b"\n"), message)
        with self._write_lock:
            try:
                proc.stdin.write(data)
                proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError) as exc:
                raise ServerGone(f"server closed stdin ({exc.__class__.__name__})", proc.poll()) from exc

    # -- receiving ----------------------------------------------------------
    def receive(self, timeout: float) -> Incoming:
        try:
            item = self.inbox.get(timeout)
        except ReadTimeout:
            if self.proc is not None and self.proc.poll() is not None and self.stdout_closed_at:
                raise ServerGone(self._gone_message(), self.proc.poll()) from None
            raise
        if isinstance(item, Failure):
            # keep reporting the failure to later readers too
            self.inbox.put(item)
            raise item.error
        return item

    def _gone_message(self) -> str:
        code = self.proc.poll() if self.proc else None
        tail = self.transcript.stderr_text(600).strip()
        state = f"exited with code {code}" if code is not None else "closed stdout"
        return f"server {state}" + (f"; stderr tail:\n{tail}" if tail else "")

    def _read_stdout(self) -> None:
        assert self.proc and self.proc.stdout
        stream = self.proc.stdout
        skipping = False
        while True:
            try:
                line = stream.readline(self.max_line)
            except (OSError, ValueError):
                break
            if not line:
                break
            complete = line.endswith(b"\n")
            if skipping:
                self._noise(line, "rest of an oversized line", count_only=True)
                skipping = not complete
                continue
            if not complete and len(line) >= self.max_line:
                self._noise(line, f"line longer than {self.max_line} bytes")
                skipping = True
                continue
            self._handle_line(line)
        self.stdout_closed_at = time.monotonic()
        # wait briefly for the exit code so the failure says what happened
        if self.proc:
            try:
                self.proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
        self.transcript.record("event", "stdio", "stdout closed")
        self.inbox.put(Failure(ServerGone(self._gone_message(), self.proc.poll() if self.proc else None)))

    def _handle_line(self, line: bytes) -> None:
        if not self._partial and self.noise_count >= NOISE_KEEP and line.lstrip()[:1] not in (b"{", b"["):
            # fast path through a flood of junk: only count it
            self.noise_count += 1
            self.noise_bytes += len(line)
            return
        body = line.rstrip(b"\n")
        note = ""
        if body.endswith(b"\r"):
            body = body[:-1]
            self.crlf_lines += 1
            note = CRLF_NOTE
        if not body.strip():
            self._noise(line, "empty line")
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            # Still deliver a JSON frame in another encoding, flagged (STDIO-04), so one
            # encoding slip is not also a hang; anything else is noise.
            try:
                message = json.loads(body.decode("latin-1"))
            except (ValueError, RecursionError):
                self._noise(body, "not UTF-8")
                return
            self._deliver(body, message, NOT_UTF8_NOTE)
            return
        if self._partial:
            self._continue_partial(text)
            return
        try:
            message = json.loads(text)
        except RecursionError:
            self._noise(body, "JSON nested too deeply to parse")
            return
        except ValueError:
            if text.lstrip()[:1] in ("{", "["):
                self._partial = [text]  # maybe a pretty-printed frame: try to reassemble
                return
            self._noise(body, "not JSON")
            return
        self._deliver(body, message, note)

    def _continue_partial(self, text: str) -> None:
        """Reassemble a frame split over lines, so one STDIO-01 slip is not also a hang."""
        if text[:1] in ("{", "[") and self._partial:
            # An unindented line that is whole JSON on its own is a new frame, not the
            # rest of a pretty-printed one: what came before was a cut-off line, and
            # must not swallow the frames after it.
            try:
                message = json.loads(text)
            except (ValueError, RecursionError):
                pass
            else:
                self._noise("\n".join(self._partial).encode(), "unterminated JSON line")
                self._partial = []
                self._deliver(text.encode(), message, "")
                return
        self._partial.append(text)
        joined = "\n".join(self._partial)
        try:
            message = json.loads(joined)
        except (ValueError, RecursionError):
            if len(self._partial) > 2000 or len(joined) > self.max_line:
                self._noise(joined.encode(), "unterminated JSON over many lines")
                self._partial = []
            return
        lines = len(self._partial)
        self._partial = []
        self._deliver(joined.encode(), message, f"{MULTILINE_NOTE} ({lines} lines)")

    def _deliver(self, body: bytes, message: Any, note: str) -> None:
        self.transcript.record("recv", "stdio", body, message, note=note)
        self.inbox.put(Incoming(message=message, channel="stdio"))

    def _noise(self, data: bytes, why: str, count_only: bool = False) -> None:
        self.noise_count += 1
        self.noise_bytes += len(data)
        if not count_only and self.noise_count <= NOISE_KEEP:
            self.transcript.record("noise", "stdio", data[:512], note=why)

    def _read_stderr(self) -> None:
        assert self.proc and self.proc.stderr
        stream = self.proc.stderr
        kept = 0
        while True:
            try:
                chunk = stream.readline(65536)
            except (OSError, ValueError):
                break
            if not chunk:
                break
            kept += 1
            if kept <= 2000:  # stderr is allowed (STDIO-03); keep a bounded amount
                self.transcript.record("stderr", "stderr", chunk)


def _pids() -> set[int]:
    """Ids of the processes alive now (empty where there is no /proc)."""
    try:
        return {int(name) for name in os.listdir("/proc") if name.isdigit()}
    except OSError:
        return set()


def _kill_marked(token: str, before: set[int], rounds: int = 10) -> None:
    """SIGKILL every process whose environment carries `token`.

    Only processes started after the server are read (a few, not the whole
    table), and the scan repeats so a child forked during a round is caught in
    the next. A process that rewrote its environment escapes; nothing else does.
    """
    needle = f"{MARKER_ENV}={token}".encode()
    for _ in range(rounds):
        found = []
        for pid in _pids() - before:
            try:
                with open(f"/proc/{pid}/environ", "rb") as environ:
                    entries = environ.read().split(b"\0")
            except OSError:
                continue  # gone, or not ours to read
            if needle in entries:
                found.append(pid)
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _killpg(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
