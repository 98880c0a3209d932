"""`mcp-sandbox`: start the mock enterprise and hand its environment to a server.

    mcp-sandbox up [--seed N] [--provider auto|local|docker] [--scale F] [--env-file PATH]
    mcp-sandbox env | status | down
    mcp-sandbox cache [--clear]
    mcp-sandbox images [--build] [--force]   # the container provider's images

`up` prints `export K=V` lines, writes them to `.sandbox.env` (mode 0600)
together with its own PID, and stays in the foreground until Ctrl-C/SIGTERM.
`env`, `status` and `down` read that file; a file whose PID is gone is stale
(a crashed run) and is reported as such, never trusted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import sys
import threading
import time
from pathlib import Path

from rich.console import Console

DEFAULT_ENV_FILE = ".sandbox.env"
PID_KEY = "SANDBOX_UP_PID"

err = Console(stderr=True)


# --------------------------------------------------------------------------- env file


def write_env_file(path: Path, env: dict[str, str], pid: int) -> None:
    """Write `export K=V` lines (shell-quoted) plus the owner PID; mode 0600 from creation."""
    lines = [
        f"# written by mcp-sandbox up (pid {pid}); stale when that process is gone",
        f"export {PID_KEY}={pid}",
    ]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in sorted(env.items())]
    tmp = path.with_name(path.name + f".{pid}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def read_env_file(path: Path) -> dict[str, str]:
    """Parse what `write_env_file` wrote."""
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.startswith("export "):
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        parts = shlex.split(value)
        env[key] = parts[0] if parts else ""
    return env


def pid_alive(pid: int) -> bool:
    """Whether `pid` runs and is an `mcp-sandbox up` (guards against PID reuse)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return True  # no /proc: trust the signal check
    return "sandbox" in cmdline and " up" in f" {cmdline}"


def _owner(path: Path) -> tuple[dict[str, str], int | None, bool]:
    env = read_env_file(path)
    pid = int(env[PID_KEY]) if env.get(PID_KEY, "").isdigit() else None
    return env, pid, pid is not None and pid_alive(pid)


# --------------------------------------------------------------------------- commands


def _print_env(env: dict[str, str]) -> None:
    for key, value in sorted(env.items()):
        print(f"export {key}={shlex.quote(value)}")
    sys.stdout.flush()


class _Stop(Exception):
    """Raised from the signal handler to leave the `with Sandbox` block."""


def cmd_up(args: argparse.Namespace) -> int:
    from sandbox.sandbox import Sandbox

    env_file = Path(args.env_file)
    if env_file.exists():
        _, pid, alive = _owner(env_file)
        if alive:
            err.print(f"[red]a sandbox is already up (pid {pid}, {env_file}); run `mcp-sandbox down` first")
            return 1
        err.print(f"[yellow]removing stale {env_file} (pid {pid} is gone)")
        env_file.unlink()

    stop_event = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        # Raise once to leave start() or the wait; a second Ctrl-C must not interrupt the clean-up.
        if stop_event.is_set():
            return
        stop_event.set()
        raise _Stop(signal.Signals(signum).name)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    started = time.monotonic()
    sandbox = None
    try:
        with err.status("starting the sandbox") as status:
            sandbox = Sandbox(
                seed=args.seed,
                provider=args.provider,
                scale=args.scale,
                progress=lambda msg: status.update(f"starting the sandbox: {msg}"),
            )
            sandbox.start()
        env = sandbox.env()
        write_env_file(env_file, env, os.getpid())
        _print_env(env)
        err.print(
            f"[green]sandbox up[/] in {time.monotonic() - started:.1f}s (seed {sandbox.seed}, "
            f"provider {sandbox.provider}); env written to {env_file}. Ctrl-C stops it."
        )
        while not stop_event.wait(3600):
            pass
    except (_Stop, KeyboardInterrupt):
        err.print("stopping the sandbox")
    except Exception as exc:
        err.print(f"[red]sandbox failed: {exc}")
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # do not interrupt the clean-up
        if sandbox is not None:
            sandbox.stop()
        with contextlib.suppress(OSError):
            if env_file.exists() and _owner(env_file)[1] == os.getpid():
                env_file.unlink()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    env_file = Path(args.env_file)
    if not env_file.exists():
        err.print(f"no sandbox is up ({env_file} does not exist); run `mcp-sandbox up`")
        return 1
    env, pid, alive = _owner(env_file)
    if not alive:
        err.print(
            f"[yellow]{env_file} is stale: its `up` process (pid {pid}) is gone; run `mcp-sandbox down`"
        )
        return 1
    env.pop(PID_KEY, None)
    _print_env(env)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    env_file = Path(args.env_file)
    if not env_file.exists():
        print("down")
        return 3
    env, pid, alive = _owner(env_file)
    if not alive:
        print(f"stale ({env_file} from pid {pid}, which is gone)")
        return 2
    print(f"up (pid {pid}, seed {env.get('SANDBOX_SEED', '?')}, env file {env_file})")
    return 0


def _remove_containers(everything: bool) -> None:
    """Containers, networks and volumes of crashed runs (or of every run); silent without an engine."""
    from sandbox.engine import detect_engine

    info = detect_engine(timeout=2.0)
    if info is None:
        return
    from sandbox.containers.engine import configure, docker_client
    from sandbox.containers.run import reap_orphans, remove_runs

    configure(info)
    client = docker_client(info, timeout=30)
    try:
        removed = remove_runs(client) if everything else reap_orphans(client)
    finally:
        client.close()
    if removed:
        print(f"removed {removed.summary()} of sandbox runs whose owner is gone")


def cmd_down(args: argparse.Namespace) -> int:
    env_file = Path(args.env_file)
    if not env_file.exists():
        _remove_containers(args.all)
        print("nothing to stop")
        return 0
    _, pid, alive = _owner(env_file)
    if alive and pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + args.timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(pid):
            err.print(f"[red]pid {pid} did not stop within {args.timeout:.0f}s")
            return 1
        print(f"stopped (pid {pid})")
    else:
        print(f"removed stale {env_file}")
    env_file.unlink(missing_ok=True)
    _remove_containers(args.all)
    return 0


def cmd_images(args: argparse.Namespace) -> int:
    """Show (or build) the container provider's images for the current sources."""
    from sandbox.containers import engine, images

    try:
        info = engine.find_engine()
    except engine.EngineUnavailable as exc:
        err.print(f"[red]{exc}")
        return 1
    client = engine.docker_client(info)
    try:
        print(
            f"engine: {info.server or 'unknown'} at {info.docker_host}; "
            f"base image {images.base_image(client)}"
        )
        if args.build or args.force:
            tags = images.ensure_images(client, progress=lambda m: err.print(m), force=args.force)
            for name, tag in tags.items():
                print(f"  {name}: {tag}")
            return 0
        for name, (tag, present) in images.status(client).items():
            state = "built" if present else "not built; run `mcp-sandbox images --build`"
            print(f"  {name}: {tag} ({state})")
    except images.ImageBuildError as exc:
        err.print(f"[red]{exc}")
        return 1
    finally:
        client.close()
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from sandbox.paths import cache_root
    from sandbox.postgres.template import clear_templates, list_templates

    if args.clear:
        print(f"removed {clear_templates()} template(s) from {cache_root()}")
        return 0
    templates = list_templates()
    print(f"cache: {cache_root()}")
    for template in templates:
        size = sum(f.stat().st_size for f in template.path.rglob("*") if f.is_file())
        meta = template.meta
        print(
            f"  {template.path.name}: seed {meta['seed']}, scale {meta['sizes']['scale']}, "
            f"PostgreSQL {meta['postgres_version']} ({meta['postgres_source']}), "
            f"pgvector {'yes' if meta['has_vector'] else 'no'}, {size / 1e6:.0f} MB"
        )
    if not templates:
        print("  (no templates)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mcp-sandbox", description=__doc__.split("\n\n")[0])
    parser.add_argument("--env-file", default=DEFAULT_ENV_FILE, help="default: ./.sandbox.env")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the sandbox and stay up until Ctrl-C")
    up.add_argument("--seed", type=int, default=None, help="data seed (default: SANDBOX_SEED or 42)")
    up.add_argument("--provider", choices=["auto", "local", "docker"], default=None)
    up.add_argument(
        "--scale", type=float, default=None, help="data size factor (default: SANDBOX_SCALE or 1)"
    )
    up.add_argument("--env-file", default=argparse.SUPPRESS)
    up.set_defaults(func=cmd_up)
    for name, func, text in (
        ("env", cmd_env, "print the running sandbox's env"),
        ("status", cmd_status, "is a sandbox up?"),
        ("down", cmd_down, "stop the running sandbox"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--env-file", default=argparse.SUPPRESS)
        p.set_defaults(func=func)
        if name == "down":
            p.add_argument("--timeout", type=float, default=30.0)
            p.add_argument(
                "--all",
                action="store_true",
                help="also remove the containers of sandbox runs that are still alive",
            )
    cache = sub.add_parser("cache", help="list the cached templates (or --clear them)")
    cache.add_argument("--clear", action="store_true", help="delete them; they rebuild on the next up")
    cache.set_defaults(func=cmd_cache)
    imgs = sub.add_parser("images", help="the container provider's images (tags by content hash)")
    imgs.add_argument("--build", action="store_true", help="build the missing ones")
    imgs.add_argument("--force", action="store_true", help="rebuild even if present")
    imgs.set_defaults(func=cmd_images)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
