"""Start and stop the sandbox's child processes safely.

Every service process gets its own process group (`start_new_session=True`)
so that stopping it also reaches anything it forked, and every wait has a
timeout. When the harness runs as root (containers, CI), services that refuse
root or should not have it (PostgreSQL) run as the unprivileged `nobody` user;
no system user is ever created. The port a child binds and the log it writes
are handled here too, once, for every backend.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import signal
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

UNPRIVILEGED_USER = "nobody"
UNPRIVILEGED_GROUPS = ("nogroup", "nobody")
LOOPBACK = "127.0.0.1"  # every sandbox service binds here only (DESIGN.md, the sandbox contract)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 a moment ago.

    The child binds it right after, so another process can win the race:
    callers that care (the PostgreSQL cluster) retry on a new port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def read_tail(path: Path, lines: int = 30) -> str:
    """The last `lines` lines of a child's log, for error messages; never raises."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass(frozen=True)
class RunAs:
    """Who a child process runs as: the current user, or `nobody` when we are root."""

    uid: int
    gid: int
    name: str

    @property
    def switches(self) -> bool:
        return self.uid != os.geteuid()

    def popen_kwargs(self) -> dict:
        """Extra `subprocess` arguments that drop to this user (none if no switch)."""
        if not self.switches:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown_tree(self, root: Path) -> None:
        """Give `root` and everything below it to this user (a no-op without a switch)."""
        if not self.switches:
            return
        os.chown(root, self.uid, self.gid, follow_symlinks=False)
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                os.chown(os.path.join(dirpath, name), self.uid, self.gid, follow_symlinks=False)


def service_user() -> RunAs:
    """`nobody` when running as root, else the current user."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return RunAs(entry.pw_uid, os.getegid(), entry.pw_name)
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError as exc:
        raise RuntimeError(
            "running as root, but there is no 'nobody' user to run services as; "
            "run the sandbox as an ordinary user instead"
        ) from exc
    gid = entry.pw_gid
    for group in UNPRIVILEGED_GROUPS:
        with contextlib.suppress(KeyError):
            gid = grp.getgrnam(group).gr_gid
            break
    return RunAs(entry.pw_uid, gid, UNPRIVILEGED_USER)


def unreachable_ancestor(path: Path, user: RunAs) -> Path | None:
    """The first directory on `path`'s way that `user` cannot traverse, if any.

    `os.access` answers for the real uid (root), so we read the mode bits.
    """
    if not user.switches:
        return None
    path = path.resolve()
    for directory in [*reversed(path.parents), path] if path.is_dir() else reversed(path.parents):
        st = directory.stat()
        if st.st_uid == user.uid:
            ok = bool(st.st_mode & stat.S_IXUSR)
        elif st.st_gid == user.gid:
            ok = bool(st.st_mode & stat.S_IXGRP)
        else:
            ok = bool(st.st_mode & stat.S_IXOTH)
        if not ok:
            return directory
    return None


def group_alive(pgid: int) -> bool:
    """Whether any process is left in process group `pgid`."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_process(
    proc: subprocess.Popen | None,
    first_signal: int = signal.SIGTERM,
    grace: float = 10.0,
    second_signal: int = signal.SIGQUIT,
    second_grace: float = 5.0,
) -> None:
    """Stop `proc` and its whole process group; never raises, never hangs.

    `first_signal` asks nicely (PostgreSQL: SIGINT is "fast shutdown"),
    `second_signal` insists (SIGQUIT: "immediate"), then SIGKILL to the group.
    The child is always reaped (`wait`), so no zombie remains.
    """
    if proc is None:
        return
    pgid = proc.pid  # start_new_session=True makes the child its group's leader
    try:
        for sig, wait in ((first_signal, grace), (second_signal, second_grace)):
            if proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=wait)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        if proc.stdin is not None:  # an owner pipe (sandbox/owner.py): ours to close
            with contextlib.suppress(OSError):
                proc.stdin.close()
        # Orphans of the group (children that outlived their parent): kill them too.
        deadline = time.monotonic() + 2.0
        while group_alive(pgid) and time.monotonic() < deadline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            time.sleep(0.01)
    except Exception:  # stop must never raise; the caller is usually tearing down
        pass
