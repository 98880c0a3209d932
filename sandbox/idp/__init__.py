"""The sandbox's test identity provider: a tiny OAuth 2.1 authorization server.

It exists so that servers protected as OAuth resource servers can be tested
(the AUTH rules): it publishes RFC 8414 metadata and a JWKS, and hands out
RFC 9068 JWT access tokens through the client-credentials grant. Negative
tokens (expired, wrongly signed, other audience, ...) are minted by the harness
itself with the key this backend holds (`harness.auth.tokens`), never by the
service: see docs/auth.md for why.
"""

from sandbox.idp.backend import IdpBackend

__all__ = ["IdpBackend"]
