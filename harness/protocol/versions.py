"""MCP protocol revisions the harness knows, and helpers to reason about them.

Versions are plain date strings (what goes on the wire), so comparing them as
strings would work today; we still go through :func:`version_index` so that a
typo fails loudly instead of silently sorting somewhere.
"""

from __future__ import annotations

from collections.abc import Iterable

V1 = "2024-11-05"
V2 = "2025-03-26"
V3 = "2025-06-18"
V4 = "2025-11-25"
V5 = "2026-07-28"

ALL_VERSIONS: tuple[str, ...] = (V1, V2, V3, V4, V5)
"""Every revision with a bundled schema, oldest first."""

LEGACY_VERSIONS: tuple[str, ...] = (V1, V2, V3, V4)
"""The handshake era: ``initialize`` then a session."""

MODERN_VERSIONS: tuple[str, ...] = (V5,)
"""The stateless era: no ``initialize``, version and capabilities in every request's ``_meta``."""

LATEST: str = ALL_VERSIONS[-1]
LATEST_LEGACY: str = LEGACY_VERSIONS[-1]

# Short aliases used by the rule catalogue (spec-rules.md writes "V1".."V5").
_ALIASES: dict[str, str] = {f"V{i}": v for i, v in enumerate(ALL_VERSIONS, start=1)}


def version_index(version: str) -> int:
    """Position of ``version`` in :data:`ALL_VERSIONS` (0 = oldest).

    Accepts the date form or the catalogue alias ("V3"). Raises ``ValueError``
    for anything else, because a silently unknown version would make every
    version-gated rule vanish.
    """
    version = _ALIASES.get(version, version)
    try:
        return ALL_VERSIONS.index(version)
    except ValueError:
        known = ", ".join(ALL_VERSIONS)
        raise ValueError(f"unknown MCP protocol version {version!r}; known: {known}") from None


def normalize(version: str) -> str:
    """Return the date form of ``version`` (accepts "V1".."V5" too)."""
    return ALL_VERSIONS[version_index(version)]


def is_known(version: str) -> bool:
    """True when ``version`` is one of the bundled revisions (date form only)."""
    return version in ALL_VERSIONS


def is_modern(version: str) -> bool:
    """True for the stateless era (V5 and later)."""
    return version_index(version) >= version_index(MODERN_VERSIONS[0])


def newest_of_era(versions: Iterable[str], version: str) -> str:
    """The newest of `versions` (ascending) in `version`'s era; `version` itself if none is.

    Why: a version-independent test (`once_per_era`) runs at this one version per era.
    """
    same = [v for v in versions if is_modern(v) == is_modern(version)]
    return same[-1] if same else version


def is_legacy(version: str) -> bool:
    """True for the handshake era (V1..V4)."""
    return not is_modern(version)


def expand(spec: str | Iterable[str]) -> tuple[str, ...]:
    """Turn a version spec into the tuple of versions it covers, oldest first.

    ``spec`` is either an iterable of versions/aliases, or a string made of
    comma-separated items, each one of:

    - ``"all"``, ``"legacy"``, ``"modern"``;
    - a single version (``"V3"`` or ``"2025-06-18"``);
    - a closed range ``"V1-V4"`` / ``"V1..V4"``;
    - an open range ``"V3+"`` (that version and every later one).

    The catalogue writes its version columns this way so they read like the
    spec-rules text.
    """
    if not isinstance(spec, str):
        return tuple(sorted({normalize(v) for v in spec}, key=version_index))
    out: set[str] = set()
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        out.update(_expand_item(item))
    return tuple(sorted(out, key=version_index))


def _expand_item(item: str) -> tuple[str, ...]:
    """Expand one comma-free item of a version spec (see :func:`expand`)."""
    lowered = item.lower()
    if lowered == "all":
        return ALL_VERSIONS
    if lowered == "legacy":
        return LEGACY_VERSIONS
    if lowered == "modern":
        return MODERN_VERSIONS
    if item.endswith("+"):
        return ALL_VERSIONS[version_index(item[:-1]) :]
    for sep in ("..", "-V", "–"):
        if sep in item and not _looks_like_date(item):
            lo, hi = item.split(sep, 1)
            hi = ("V" + hi) if sep == "-V" else hi
            return ALL_VERSIONS[version_index(lo.strip()) : version_index(hi.strip()) + 1]
    return (normalize(item),)


def _looks_like_date(item: str) -> bool:
    """A bare ``YYYY-MM-DD`` contains dashes but is not a range."""
    return len(item) == 10 and item[4] == "-" and item[7] == "-" and item.replace("-", "").isdigit()


def applies(versions_spec: str | Iterable[str], version: str) -> bool:
    """True when ``version`` is covered by ``versions_spec`` (see :func:`expand`)."""
    return normalize(version) in expand(versions_spec)
