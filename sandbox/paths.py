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


def runtime_dir(user: RunAs, prefix: str = "mcp-sandbox-") -> Path:
    """A fresh private directory for one run, owned by the service user.

    It lives under `$MCP_SANDBOX_RUNTIME` or the system temp dir, which the
    unprivileged service user must be able to traverse.
    """
    parent = Path(os.environ.get("MCP_SANDBOX_RUNTIME") or tempfile.gettempdir())
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
    return path
