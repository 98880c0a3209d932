"""A tiny guardian process: when its owner dies, however it dies, stop what it left behind.

PostgreSQL has no "die with your parent" option, and a harness killed with
SIGKILL (OOM killer, CI timeout, `kill -9`) runs no atexit handler. So each
run starts `python -m sandbox.watchdog RUNTIME_DIR` with a pipe on its stdin
whose only writer is the owner. The read returns EOF when the owner closes it
(normal stop, after it stopped PostgreSQL itself: nothing left to do) or when
the kernel closes it because the owner died: then the watchdog stops the
postmaster of RUNTIME_DIR/data (checking the PID really is that postmaster)
and deletes the directory. It imports nothing beyond the standard library and
`sandbox.paths`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path


def start(root: Path) -> subprocess.Popen:
    """Start a watchdog for `root`; keep the returned process, `stop()` it after stopping the service."""
    return subprocess.Popen(
        [sys.executable, "-m", "sandbox.watchdog", str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
        cwd=str(Path(__file__).resolve().parents[1]),  # so `-m sandbox.watchdog` resolves
    )


def stop(proc: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """Close the pipe (the watchdog then finds nothing to stop) and reap it; never raises."""
    if proc is None:
        return
    with contextlib.suppress(Exception):
        if proc.stdin is not None:
            proc.stdin.close()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def main(argv: list[str]) -> int:
    from sandbox.paths import kill_postmaster

    root = Path(argv[0])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the pipe decides
    with contextlib.suppress(OSError):
        while sys.stdin.buffer.read(4096):
            pass
    kill_postmaster(root / "data")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
