"""The protocol versions every pytest-xdist worker of one run collects tests for.

Why: with `--protocol-version all` the tests are parametrized by the versions
the probe found, and each xdist worker probes on its own. Workers that disagree
(one probe met a timeout on a loaded machine) collect different tests, and
xdist then ends the whole run with "Different tests were collected". So the
first worker to finish its probe publishes its list in a file named by the
run's `testrunuid` (the same in every worker of a local run), and the others
collect that list. A worker whose own probe missed one of the versions skips
its tests there and says why (harness/pytest_plugin.py `_gate`).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

READ_WAIT = 10.0  # seconds a worker waits for the published list to be readable


def agreed(workerinput: dict[str, Any] | None, own: list[str], folder: Path | None = None) -> list[str]:
    """`own` outside xdist; in a worker, the list the run's first prober published."""
    if not workerinput or not workerinput.get("testrunuid"):
        return own
    path = published_path(workerinput, folder)
    if _publish(path, own):
        return own
    return _read(path) or own


def published_path(workerinput: dict[str, Any], folder: Path | None = None) -> Path:
    where = folder or Path(tempfile.gettempdir())
    return where / f"mcp-harness-versions-{workerinput['testrunuid']}.json"


def forget(workerinput: dict[str, Any] | None, folder: Path | None = None) -> None:
    """Remove the published list (at the end of the run; any worker may, the last one wins)."""
    if workerinput and workerinput.get("testrunuid"):
        with contextlib.suppress(OSError):
            published_path(workerinput, folder).unlink()


def _publish(path: Path, versions: list[str]) -> bool:
    """Write `versions` to `path` unless another worker did first: whole or not at all (link)."""
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=".mcp-harness-versions-")
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(versions, out)
        os.link(scratch, path)  # atomic, and fails when the file exists
        return True
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(scratch)


def _read(path: Path) -> list[str] | None:
    deadline = time.monotonic() + READ_WAIT
    while True:
        try:
            versions = json.loads(path.read_text())
            if isinstance(versions, list) and all(isinstance(v, str) for v in versions):
                return versions
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)
