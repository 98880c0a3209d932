"""Hostile wrappers for behaviours the spec server does not have (see proxy.py)."""
