"""Streamable HTTP: uvicorn on a socket we bind ourselves, on loopback only.

Binding first lets `--port 0` work (the kernel picks a free port and we know it
before anyone connects: the resource URL, which is also the token audience,
needs it), and `LISTENING <url>` is printed only once uvicorn has started, so
a harness that waits for that line never races the server.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from typing import Any

import anyio
import uvicorn
from mcp.server.mcpserver import MCPServer


def bind(host: str, port: int) -> socket.socket:
    # proto given: asyncio turns Nagle off only on IPPROTO_TCP sockets (else 40 ms per reply)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def endpoint_url(host: str, sock: socket.socket) -> str:
    return f"http://{host}:{sock.getsockname()[1]}/mcp"


async def serve(
    server: MCPServer, host: str, sock: socket.socket, wrap: Callable[[Any], Any] | None = None
) -> None:
    """Serve on `sock`; `wrap` puts middleware around the app (the OAuth gate, enterprise/auth.py)."""
    app = server.streamable_http_app(host=host)
    config = uvicorn.Config(wrap(app) if wrap else app, log_level="warning", lifespan="on")
    runner = uvicorn.Server(config)

    async def announce() -> None:
        while not runner.started:
            if runner.should_exit:
                return
            await anyio.sleep(0.02)
        print(f"LISTENING {endpoint_url(host, sock)}", file=sys.stderr, flush=True)

    async with anyio.create_task_group() as tg:
        tg.start_soon(announce)
        await runner.serve(sockets=[sock])
        tg.cancel_scope.cancel()
