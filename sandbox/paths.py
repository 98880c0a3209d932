"""Where the sandbox keeps its cache (templates) and its per-run files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sandbox.procs import RunAs, unreachable_ancestor


def cache_root() -> Path:
    """`$MCP_SANDBOX_CACHE`, else `$XDG_CACHE_HOME/mcp-sandbox`, else `~/.cache/mcp-sandbox`.

    Only the harness's own user reads it (services never run from it: each run
    copies what it needs into its runtime directory), so it may live in a
    private home directory.
    """
    configured = os.environ.get("MCP_SANDBOX_CACHE")
    if configured:
        root = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(base) / "mcp-sandbox"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


SHM = Path("/dev/shm")
SHM_MIN_FREE = 1 << 30  # a sandbox needs ~100 MB; leave room for the rest of the machine


def runtime_parent() -> Path:
    """Where per-run directories go: `$MCP_SANDBOX_RUNTIME`, else /dev/shm, else the temp dir.

    Why RAM first: a run's data directory is disposable (fsync is off anyway),
    and creating its ~2,000 small files is where the time goes on a disk: a warm
    start measured 4-5 s on ext4 and 0.2 s on tmpfs for the copy alone.
    """
    configured = os.environ.get("MCP_SANDBOX_RUNTIME")
    if configured:
        return Path(configured)
    try:
        st = os.statvfs(SHM)
        if SHM.is_dir() and os.access(SHM, os.W_OK) and st.f_bavail * st.f_frsize >= SHM_MIN_FREE:
            return SHM
    except OSError:
        pass
    return Path(tempfile.gettempdir())


def runtime_dir(user: RunAs, prefix: str = "mcp-sandbox-") -> Path:
    """A fresh private directory for one run, owned by the service user.

    It lives under `runtime_parent()`, which the unprivileged service user must
    be able to traverse.
    """
    parent = runtime_parent()
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(path, 0o700)
    if user.switches:
        os.chown(path, user.uid, user.gid)
    blocked = unreachable_ancestor(path, user)
    if blocked is not None:
        path.rmdir()
        raise RuntimeError(
            f"the service user {user.name!r} cannot traverse {blocked}; set MCP_SANDBOX_RUNTIME "
            "to a directory it can reach (e.g. /tmp)"
        )
    mark_owner(path)
    return path


# --------------------------------------------------------------------------- crashed runs

OWNER_FILE = "owner"


def _start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (field 22 of /proc/PID/stat): tells PID reuse apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def mark_owner(path: Path) -> None:
    """Record which process owns a runtime dir, so a later run can tell it was abandoned."""
    (path / OWNER_FILE).write_text(f"{os.getpid()} {_start_time(os.getpid()) or ''}\n")


def _owner_alive(path: Path) -> bool:
    try:
        pid_text, _, started = (path / OWNER_FILE).read_text().strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return True  # not ours, or being written: leave it alone
    return _start_time(pid) is not None and (not started or _start_time(pid) == started)


def kill_postmaster(datadir: Path, timeout: float = 5.0) -> None:
    """Stop the postmaster running on `datadir`, if any (checked via /proc, so never a reused PID)."""
    import signal
    import time

    try:
        pid = int((datadir / "postmaster.pid").read_text().splitlines()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return
    if str(datadir).encode() not in cmdline:
        return  # PID reused by something else
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        try:
            os.killpg(pid, sig)  # started with start_new_session: pid is the group id
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.01)
        if not Path(f"/proc/{pid}").exists():
            return


def reap_stale_runs() -> list[Path]:
    """Stop and delete runtime dirs whose owning process died without cleaning up (kill -9, OOM).

    Only directories carrying our owner file are touched. Returns what was removed.
    """
    import shutil

    removed = []
    try:
        candidates = list(runtime_parent().glob("mcp-sandbox-*"))
    except OSError:
        return removed
    for path in candidates:
        if not path.is_dir() or _owner_alive(path):
            continue
        kill_postmaster(path / "data")
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed
