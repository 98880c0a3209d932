"""Protocol errors whose code depends on the negotiated version.

A missing resource is `-32002` (Resource not found) from 2024-11-05 to
2025-11-25 and `-32602` (Invalid params, SEP-2164) from 2026-07-28. The SDK's
`ResourceNotFoundError` always answers -32602, so we raise `MCPError` with the
code chosen from the request's protocol version.
"""

from __future__ import annotations

from mcp.shared.exceptions import MCPError

RESOURCE_NOT_FOUND_LEGACY = -32002
INVALID_PARAMS = -32602
FIRST_MODERN_VERSION = "2026-07-28"


def resource_not_found(uri: str, protocol_version: str | None, what: str = "resource") -> MCPError:
    """The not-found error for `uri` at `protocol_version` (ISO dates compare as strings)."""
    modern = protocol_version is not None and protocol_version >= FIRST_MODERN_VERSION
    code = INVALID_PARAMS if modern else RESOURCE_NOT_FOUND_LEGACY
    return MCPError(code=code, message=f"Resource not found: no {what} at {uri}", data={"uri": uri})
