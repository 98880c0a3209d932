"""The mock-enterprise sandbox: real backends seeded with deterministic data.

Exports are lazy so that `import sandbox.embeddings` (done by servers under
test, see EMBEDDING_MODEL) stays cheap and pulls in neither psycopg nor Faker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.backend import Backend, Change, Fingerprint
    from sandbox.sandbox import Sandbox

__all__ = ["Backend", "Change", "Fingerprint", "Sandbox"]


def __getattr__(name: str) -> Any:
    if name == "Sandbox":
        from sandbox.sandbox import Sandbox

        return Sandbox
    if name in ("Backend", "Change", "Fingerprint"):
        from sandbox import backend

        return getattr(backend, name)
    raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
