"""A few-line server on the official `mcp` SDK: the harness must run it clean
(apart from the SDK's own documented deviations, docs/known-deviations.md).

    python tests/servers/sdk_server.py            # stdio
    python tests/servers/sdk_server.py --http 0   # Streamable HTTP, free port
"""

import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("sdk-test-server")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return text


@server.resource("memo://readme")
def readme() -> str:
    """A static text resource."""
    return "hello from the SDK server"


@server.resource("memo://notes/{name}")
def note(name: str) -> str:
    """A templated resource."""
    return f"note {name}"


@server.prompt()
def greet(name: str) -> str:
    """Greet someone by name."""
    return f"Say hello to {name}."


if __name__ == "__main__":
    if "--http" in sys.argv:
        import socket

        port = int(sys.argv[sys.argv.index("--http") + 1])
        if port == 0:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        print(f"LISTENING http://127.0.0.1:{port}/mcp", file=sys.stderr, flush=True)
        server.run("streamable-http", host="127.0.0.1", port=port)
    else:
        server.run()
