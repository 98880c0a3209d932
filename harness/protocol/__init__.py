"""The protocol layer: the JSON-RPC peer (session), what it exchanged (exchange), versions,
the server under test (target) and the probe that learns what it speaks (profile)."""
