"""Die with the owner: a sandbox service ends when the process that started it is gone.

A harness killed with SIGKILL (a CI timeout, the OOM killer, `kill -9`) runs
no clean-up, and a service started in its own session is then adopted by init
and serves forever. So the backends start their services with a pipe on stdin
whose only writer is the owner and pass `--exit-with-stdin`; the kernel closes
the pipe when the owner dies, however it dies, and the service stops itself.
PostgreSQL cannot do this, so it gets a watchdog process (sandbox/watchdog.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

GRACE_S = 5.0  # for a graceful SIGTERM shutdown before a hard exit


def exit_with_stdin() -> threading.Thread:
    """Watch stdin on a daemon thread; at EOF send ourselves SIGTERM, then exit hard after a grace."""

    def watch() -> None:
        with contextlib.suppress(OSError, ValueError):
            while sys.stdin.buffer.read(4096):
                pass
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn shuts down cleanly on SIGTERM
        time.sleep(GRACE_S)
        os._exit(0)

    thread = threading.Thread(target=watch, name="exit-with-owner", daemon=True)
    thread.start()
    return thread
