"""MCP conformance harness: transports, session, checks, pytest plugin."""

__version__ = "0.1.0"
