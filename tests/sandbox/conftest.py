"""Fixtures for the sandbox tests: one real local sandbox per test session."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from sandbox.postgres.backend import PostgresBackend
from sandbox.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A running local sandbox with the postgres backend (seed 42, default scale).

    The template is cached under MCP_SANDBOX_CACHE (or ~/.cache/mcp-sandbox), so only
    the first run on a machine pays for seeding.
    """
    with Sandbox(seed=42, provider="local", backends=["postgres"]) as sb:
        yield sb


@pytest.fixture(scope="session")
def pg(sandbox: Sandbox) -> PostgresBackend:
    return sandbox.backend("postgres")


@pytest.fixture
def clean(sandbox: Sandbox) -> Sandbox:
    """The sandbox, reset to its seed before the test."""
    sandbox.reset()
    return sandbox


@pytest.fixture
def app(clean: Sandbox) -> Iterator[psycopg.Connection]:
    """An autocommit connection as the read-write role the server under test gets."""
    with psycopg.connect(clean.env()["DATABASE_URL"], autocommit=True) as conn:
        yield conn


@pytest.fixture
def app_ro(clean: Sandbox) -> Iterator[psycopg.Connection]:
    """An autocommit connection as the read-only role."""
    with psycopg.connect(clean.env()["DATABASE_URL_READONLY"], autocommit=True) as conn:
        yield conn
