"""Container entry point of the Jira-compatible service.

`python -m sandbox.jira` refuses any non-loopback address, because on the
host the sandbox contract is loopback only. In a container the service must
listen on the container's own interface for the engine's port forward to
reach it; the engine publishes that port on the host's 127.0.0.1 only, so
the contract still holds where it matters. Everything else (tokens, seed,
project, canary) is parsed by the service's own CLI, from the same variables,
so this file cannot drift from it.
"""

from __future__ import annotations

import os
import sys
import urllib.request

PORT = int(os.environ.get("JIRA_SANDBOX_PORT", "8080"))


def health() -> int:
    """Exit 0 when serverInfo answers (the image's HEALTHCHECK)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/rest/api/2/serverInfo",
        headers={"Authorization": f"Bearer {os.environ.get('JIRA_SANDBOX_TOKEN', '')}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as reply:
            return 0 if reply.status == 200 else 1
    except OSError:
        return 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["--health"]:
        return health()
    from sandbox.jira import cli

    # The one deliberate difference from `python -m sandbox.jira` (see the docstring): the
    # loopback guard is lifted inside the container, everything else is the service's own CLI.
    cli._is_loopback = lambda host: True
    return cli.main(["--host", "0.0.0.0", "--port", str(PORT), *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
