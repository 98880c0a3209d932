"""Command line of the spec server (argparse; see the module docstring of the package)."""

from __future__ import annotations

import argparse
import json
import sys

from .core import Server
from .faults import FAULTS, Faults
from .versions import ALL


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spec_server",
        description="Spec-following MCP test server (all protocol versions) with fault switches.",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="enable a fault (repeatable; also env SPEC_SERVER_FAULTS=a,b)",
    )
    parser.add_argument(
        "--versions",
        default=",".join(ALL),
        metavar="V,V",
        help="protocol versions to support (default: all five)",
    )
    parser.add_argument("--http", action="store_true", help="serve Streamable HTTP on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="HTTP port (0 picks a free one)")
    parser.add_argument("--list-faults", action="store_true", help="print the fault registry as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_faults:
        print(json.dumps([fault.as_json() for fault in FAULTS.values()], indent=2, ensure_ascii=False))
        return 0
    versions = tuple(v.strip() for v in args.versions.split(",") if v.strip())
    unknown = [v for v in versions if v not in ALL]
    if unknown or not versions:
        parser.error(f"unknown or empty --versions: {unknown or versions}; known: {', '.join(ALL)}")
    transport = "http" if args.http else "stdio"
    try:
        faults = Faults.from_env_and_args(args.fault, transport)
    except ValueError as err:
        parser.error(str(err))
    for name in faults.inapplicable():
        print(f"spec-server: fault {name} does nothing over {transport}", file=sys.stderr)
    server = Server(faults, versions)
    if args.http:
        from .http import serve_http

        return serve_http(server, args.port)
    from .stdio import serve_stdio

    return serve_stdio(server)
