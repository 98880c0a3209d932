"""`python -m sandbox.idp --port N --key-file F --kid K`: serve the identity provider.

The client secret comes from IDP_CLIENT_SECRET so it does not show in `ps`.
Loopback only, like every sandbox service.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

import uvicorn

from sandbox.idp.app import IdpConfig, create_app
from sandbox.idp.keys import SigningKey


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.idp", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key-file", type=Path, required=True)
    parser.add_argument("--kid", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--audience", default="")
    parser.add_argument("--exit-with-stdin", action="store_true", help="stop when stdin closes")
    args = parser.parse_args(argv)
    if args.exit_with_stdin:
        from sandbox.owner import exit_with_stdin

        exit_with_stdin()
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error(f"the sandbox binds loopback only, not {args.host!r}")
    secret = os.environ.get("IDP_CLIENT_SECRET", "")
    if not secret:
        parser.error("IDP_CLIENT_SECRET is required")
    issuer = f"http://{args.host}:{args.port}"
    config = IdpConfig(
        issuer=issuer,
        key=SigningKey.read(args.key_file, args.kid),
        client_id=args.client_id,
        client_secret=secret,
        audience=args.audience,
    )
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level="warning", lifespan="off")
    return 0


if __name__ == "__main__":
    sys.exit(main())
