"""mcp-harness's own spec-following MCP test server, with fault switches.

Run it as `python tests/servers/spec_server [--http] [--fault NAME] [--versions V,V]`;
`--list-faults` prints the registry. See `core.py` for the era rules it follows.
"""
