"""Protocol version constants and the `_meta` keys of the modern era.

Kept in their own module so that `faults.py` (pure data) and `core.py` (behaviour)
can both use them without importing each other.
"""

from __future__ import annotations

V1, V2, V3, V4, V5 = "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"
ALL: tuple[str, ...] = (V1, V2, V3, V4, V5)
LEGACY: tuple[str, ...] = (V1, V2, V3, V4)
MODERN: tuple[str, ...] = (V5,)

META_VERSION = "io.modelcontextprotocol/protocolVersion"
META_CAPS = "io.modelcontextprotocol/clientCapabilities"
META_LOG_LEVEL = "io.modelcontextprotocol/logLevel"
META_SERVER_INFO = "io.modelcontextprotocol/serverInfo"

LOG_LEVELS: tuple[str, ...] = (
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
)


def at_least(version: str, floor: str) -> bool:
    """True when `version` is `floor` or newer (versions are ISO dates, so strings compare)."""
    return version >= floor


def from_(floor: str) -> tuple[str, ...]:
    """All versions from `floor` on, for fault `versions` tuples."""
    return tuple(v for v in ALL if v >= floor)
