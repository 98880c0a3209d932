"""Wait strategies: how the sandbox knows that a service it started is ready.

Every backend used to carry its own copy of one polling loop (five of them:
the Jira service, the identity provider, the PostgreSQL cluster and the two
containers). Here it is once, in the Testcontainers shape, from two parts:

- a *probe* says whether the service answers yet (an HTTP status, a login,
  a status line in a file);
- an *exit check* says why it never will (the process or the container is
  gone), so a start that died fails at once, with its log, instead of after
  the whole timeout.

The exit check runs before each probe: a service that could not bind its port
has exited, and a probe must not take another service that holds the port
for ours.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx

READY_TIMEOUT = 10.0  # seconds, for a local process; containers pass their own
POLL_INTERVAL = 0.05

Probe = Callable[[], bool]
ExitCheck = Callable[[], str | None]  # why the service can never become ready, or None


class ServiceExited(RuntimeError):
    """The service ended before it became ready; the message carries its log tail."""


def _still_running() -> str | None:
    return None


def _no_log() -> str:
    return "(no log)"


def wait_until(
    ready: Probe,
    *,
    what: str,
    timeout: float = READY_TIMEOUT,
    exited: ExitCheck = _still_running,
    log_tail: Callable[[], str] = _no_log,
    interval: float = POLL_INTERVAL,
) -> None:
    """Poll `ready` until it holds; raise `ServiceExited` or `TimeoutError`, each naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reason = exited()
        if reason is not None:
            raise ServiceExited(f"{what} {reason} during start:\n{log_tail()}")
        if ready():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what} did not answer within {timeout:.0f} s:\n{log_tail()}")


def wait_http(
    url: str,
    ok: int = 200,
    timeout: float = READY_TIMEOUT,
    *,
    what: str,
    headers: dict[str, str] | None = None,
    exited: ExitCheck = _still_running,
    log_tail: Callable[[], str] = _no_log,
) -> None:
    """Until GET `url` answers with status `ok`; connection errors count as "not yet".

    Proxies from the environment are ignored: the services listen on loopback.
    """
    with httpx.Client(timeout=1.0, trust_env=False) as client:

        def answers() -> bool:
            try:
                return client.get(url, headers=headers).status_code == ok
            except httpx.TransportError:
                return False

        wait_until(answers, what=what, timeout=timeout, exited=exited, log_tail=log_tail)


def process_exited(proc: subprocess.Popen) -> ExitCheck:
    """The exit check of a child process: its exit code once it has one."""

    def check() -> str | None:
        code = proc.poll()
        return None if code is None else f"exited with {code}"

    return check
