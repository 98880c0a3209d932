"""The reference enterprise MCP server (customer support), on the official `mcp` SDK.

    python examples/enterprise_server.py                          # stdio
    python examples/enterprise_server.py --http --port 0          # Streamable HTTP, free port
    python examples/enterprise_server.py --http --audit-log audit.jsonl

Environment: the sandbox contract (DATABASE_URL, DATABASE_URL_READONLY, JIRA_*,
VECTOR_BACKEND, VECTOR_URL, EMBEDDING_MODEL, OAUTH_ISSUER/OAUTH_JWKS_URL: HTTP as an
OAuth resource server), MCP_API_TOKENS (static development tokens),
ENTERPRISE_RATE_LIMIT, ENTERPRISE_FAULT. See examples/README.md.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
# `sandbox.embeddings` (EMBEDDING_MODEL) lives at the repository root.
if str(HERE.parent) not in sys.path:
    sys.path.append(str(HERE.parent))

from enterprise.auth import JwtVerifier, oauth_from_env, protect, verifier_from_env  # noqa: E402
from enterprise.config import Settings  # noqa: E402
from enterprise.policy import AuditLog, Policy, RateLimiter  # noqa: E402
from enterprise.server import build_server  # noqa: E402

EXIT_CONFIG = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", action="store_true", help="serve Streamable HTTP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (loopback only)")
    parser.add_argument("--port", type=int, default=8000, help="HTTP port; 0 picks a free one")
    parser.add_argument("--audit-log", metavar="PATH", help="append audit JSON lines here instead of stderr")
    parser.add_argument(
        "--require-env",
        action="store_true",
        help="exit with code 2 when a contract variable is missing, instead of serving degraded",
    )
    return parser.parse_args(argv)


def with_rpc_gate(wrap: Any) -> Any:
    """The id-null gate (enterprise/rpcgate.py) in front of whatever else wraps the app."""
    from enterprise.rpcgate import reject_null_ids

    return lambda app: reject_null_ids(wrap(app) if wrap else app)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings.from_env()
    missing = settings.missing()
    if missing:
        print(
            "enterprise-server: missing environment: "
            + ", ".join(missing)
            + ("" if args.require_env else "; serving anyway, tools that need them answer with isError"),
            file=sys.stderr,
            flush=True,
        )
        if args.require_env:
            return EXIT_CONFIG
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"enterprise-server: refusing to bind {args.host}: loopback only", file=sys.stderr)
        return EXIT_CONFIG
    try:
        verifier = verifier_from_env(os.environ) if args.http else None
        limiter = RateLimiter.parse(os.environ.get("ENTERPRISE_RATE_LIMIT", "120/60"))
    except ValueError as exc:
        print(f"enterprise-server: {exc}", file=sys.stderr)
        return EXIT_CONFIG

    server_kwargs: dict = {}
    sock = wrap = None
    if args.http:
        from enterprise.http import bind, endpoint_url
        from mcp.server.auth.settings import AuthSettings

        # Bind first: the resource URL (PRM `resource`, token audience) needs the real port.
        sock = bind(args.host, args.port)
        resource_url = endpoint_url(args.host, sock)
        oauth = oauth_from_env(os.environ) if verifier is None else None
        if oauth is not None:  # an OAuth 2.1 resource server (docs/auth.md)
            audience = os.environ.get("OAUTH_AUDIENCE", "")
            if audience and audience.rstrip("/") != resource_url:
                print(
                    f"enterprise-server: OAUTH_AUDIENCE={audience} is not this server's URL; "
                    f"accepting tokens for {resource_url} only",
                    file=sys.stderr,
                )
            jwt_verifier = JwtVerifier(oauth.issuer, oauth.jwks_url, resource_url)
            server_kwargs = {
                "token_verifier": jwt_verifier,
                "auth": AuthSettings(
                    issuer_url=oauth.issuer,
                    resource_server_url=resource_url,
                    validate_token_resource=False,  # JwtVerifier checks `aud` itself
                ),
            }

            wrap = functools.partial(
                protect, verifier=jwt_verifier, resource_url=resource_url, issuer=oauth.issuer
            )

        elif verifier is not None:  # static development tokens (MCP_API_TOKENS)
            server_kwargs = {
                "token_verifier": verifier,
                "auth": AuthSettings(
                    issuer_url=os.environ.get("OAUTH_ISSUER") or "http://127.0.0.1/", resource_server_url=None
                ),
            }
    server = build_server(
        settings,
        policy=Policy(limiter, auth_enabled=bool(server_kwargs)),
        audit=AuditLog.open(args.audit_log),
        **server_kwargs,
    )
    if args.http:
        import anyio
        from enterprise.http import serve

        if not server_kwargs:
            print(
                "enterprise-server: neither OAUTH_ISSUER/OAUTH_JWKS_URL nor MCP_API_TOKENS is set: "
                "HTTP without authentication",
                file=sys.stderr,
            )
        anyio.run(serve, server, args.host, sock, with_rpc_gate(wrap))
    else:
        server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
