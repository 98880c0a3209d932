"""`python -m sandbox.jira`: serve the Jira-compatible service with uvicorn.

Secrets may come from the environment (JIRA_SANDBOX_TOKEN,
JIRA_SANDBOX_ADMIN_TOKEN) so they do not show in `ps`; the backend uses that.
The service binds 127.0.0.1 by default and refuses any non-loopback address,
because the sandbox contract says loopback only.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import sys

import uvicorn

from sandbox.jira.app import Config, create_app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox.jira", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SANDBOX_SEED", "42")))
    parser.add_argument(
        "--email",
        default=os.environ.get("JIRA_SANDBOX_EMAIL"),
        help="the REST user's email (default: the first seeded agent)",
    )
    parser.add_argument(
        "--token", default=os.environ.get("JIRA_SANDBOX_TOKEN"), help="the REST user's API token"
    )
    parser.add_argument(
        "--admin-token",
        default=os.environ.get("JIRA_SANDBOX_ADMIN_TOKEN"),
        help="bearer token for /_sandbox/",
    )
    parser.add_argument("--project", default="SUP")
    parser.add_argument(
        "--canary",
        default=os.environ.get("JIRA_SANDBOX_CANARY"),
        help="secret text stored in the restricted issue",
    )
    parser.add_argument("--deployment", choices=("Cloud", "Server"), default="Cloud")
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument(
        "--exit-with-stdin", action="store_true", help="stop when stdin closes (the owner died)"
    )
    args = parser.parse_args(argv)
    if not args.token or not args.admin_token:
        parser.error(
            "--token and --admin-token (or JIRA_SANDBOX_TOKEN / JIRA_SANDBOX_ADMIN_TOKEN) are required"
        )
    if not re.fullmatch(r"[A-Z][A-Z0-9_]{1,9}", args.project.upper()):
        parser.error(f"--project {args.project!r} is not a valid Jira project key")
    if not _is_loopback(args.host):
        parser.error(f"the sandbox binds loopback only, not {args.host!r}; use --host 127.0.0.1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.exit_with_stdin:
        from sandbox.owner import exit_with_stdin

        exit_with_stdin()
    config = Config(
        seed=args.seed,
        email=args.email,
        token=args.token,
        admin_token=args.admin_token,
        project=args.project.upper(),
        canary=args.canary,
        deployment=args.deployment,
        count=args.tickets,
        customer_count=args.customers,
    )
    app = create_app(config)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
