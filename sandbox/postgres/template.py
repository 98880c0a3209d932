"""The cached, seeded template data directory: built once, copied per sandbox.

Building (initdb + seeding + embedding + indexes) takes seconds; copying a
finished data directory and starting it takes a fraction of that. Templates
are keyed by everything that changes their content, so a stale one is never
used, and a lock file makes concurrent first starts build it only once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from hashlib import blake2b
from importlib import resources
from pathlib import Path
from typing import Any

import faker

from sandbox import data as seed_data
from sandbox import embeddings
from sandbox.paths import cache_root, runtime_dir
from sandbox.postgres.binaries import PgInstall
from sandbox.postgres.cluster import Cluster
from sandbox.postgres.seed import seed_cluster
from sandbox.procs import RunAs

SCHEMA_VERSION = 1  # bump by hand for changes outside the .sql files (they are hashed)


def _schema_digest() -> str:
    digest = blake2b(str(SCHEMA_VERSION).encode(), digest_size=8)
    sql_dir = resources.files("sandbox.postgres").joinpath("sql")
    for name in sorted(p.name for p in sql_dir.iterdir() if p.name.endswith(".sql")):
        digest.update(name.encode() + sql_dir.joinpath(name).read_bytes())
    return digest.hexdigest()


def template_key(install: PgInstall, seed: int, sizes: seed_data.Sizes) -> str:
    """Directory name for the template of (seed, schema, data, sizes, PostgreSQL, Faker, embedder)."""
    parts = {
        "seed": seed,
        "schema": _schema_digest(),
        "data_version": seed_data.DATA_VERSION,
        "sizes": sizes.as_dict(),
        "postgres": install.version,
        "vector": install.has_vector,
        "faker": faker.VERSION,
        "embedder": embeddings.MODEL_NAME,
    }
    digest = blake2b(json.dumps(parts, sort_keys=True).encode(), digest_size=8).hexdigest()
    return f"pg{install.major}-seed{seed}-{digest}"


@dataclass(frozen=True)
class Template:
    """A finished template: its data directory and what was baked into it."""

    path: Path
    meta: dict[str, Any]

    @property
    def datadir(self) -> Path:
        return self.path / "data"


@contextlib.contextmanager
def _locked(lockfile: Path, timeout: float) -> Iterator[None]:
    with open(lockfile, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"another process holds {lockfile} for more than {timeout:.0f}s"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load(path: Path) -> Template | None:
    meta_file = path / "meta.json"
    if not meta_file.is_file():
        return None
    return Template(path, json.loads(meta_file.read_text()))


def ensure_template(
    install: PgInstall,
    seed: int,
    sizes: seed_data.Sizes,
    user: RunAs,
    progress: Callable[[str], None] = lambda _: None,
    lock_timeout: float = 600.0,
) -> Template:
    """The template for these parameters, building it first if it is not cached."""
    templates = cache_root() / "templates"
    templates.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = template_key(install, seed, sizes)
    final = templates / key
    found = _load(final)
    if found is not None:
        return found
    with _locked(templates / f"{key}.lock", lock_timeout):
        found = _load(final)  # built by someone else while we waited
        if found is not None:
            return found
        for leftover in templates.glob(f".{key}.*"):  # staging dirs of a build that crashed
            shutil.rmtree(leftover, ignore_errors=True)
        progress("building the seeded template (first run for this seed and scale)")
        return _build(install, seed, sizes, user, final, progress)


def _build(
    install: PgInstall,
    seed: int,
    sizes: seed_data.Sizes,
    user: RunAs,
    final: Path,
    progress: Callable[[str], None],
) -> Template:
    build_root = runtime_dir(user, prefix="mcp-sandbox-build-")
    cluster = Cluster(install, build_root, user)
    meta: dict[str, Any] = {
        "key": final.name,
        "seed": seed,
        "sizes": sizes.as_dict(),
        "postgres_version": install.version,
        "postgres_source": install.source,
        "has_vector": install.has_vector,
        "admin_password": secrets.token_urlsafe(24),
        "canary": "CANARY-" + secrets.token_hex(16),
    }
    try:
        progress("initdb")
        cluster.initdb(meta["admin_password"])
        progress("starting PostgreSQL for seeding")
        cluster.start()
        meta["data_hash"] = seed_cluster(
            lambda db: cluster.connect(db, "sandbox_admin", meta["admin_password"]),
            seed,
            sizes,
            install.has_vector,
            meta["canary"],
            app_password=secrets.token_urlsafe(24),
            ro_password=secrets.token_urlsafe(24),
            progress=progress,
        )
        cluster.stop()
        progress("caching the template")
        staging = final.with_name(f".{final.name}.{secrets.token_hex(4)}")
        staging.mkdir(mode=0o700)
        shutil.copytree(cluster.datadir, staging / "data", symlinks=True)
        (staging / "postgres.log").unlink(missing_ok=True)
        meta_file = staging / "meta.json"
        meta_file.write_text(json.dumps(meta, indent=2, sort_keys=True))
        meta_file.chmod(0o600)
        staging.rename(final)
    finally:
        cluster.stop()
        shutil.rmtree(build_root, ignore_errors=True)
    return Template(final, meta)


def list_templates() -> list[Template]:
    """Every finished template in the cache."""
    root = cache_root() / "templates"
    found = [_load(p) for p in sorted(root.iterdir())] if root.is_dir() else []
    return [t for t in found if t is not None]


def clear_templates() -> int:
    """Delete every cached template (they rebuild on the next start); returns how many."""
    templates = list_templates()
    for template in templates:
        with _locked(template.path.with_name(template.path.name + ".lock"), timeout=60):
            shutil.rmtree(template.path, ignore_errors=True)
    return len(templates)


def instantiate(template: Template, user: RunAs) -> Path:
    """A private copy of the template's data directory in a new runtime dir; returns that dir."""
    root = runtime_dir(user)
    try:
        shutil.copytree(template.datadir, root / "data", symlinks=True)
        (root / "data").chmod(0o700)
        user.chown_tree(root)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return root
