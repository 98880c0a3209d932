"""The fast tier: pure code and the session on an in-memory transport, no process, no network."""
