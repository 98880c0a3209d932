"""The PostgreSQL gate: the server's DSNs go through it, and its faults are real to a client."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest

from sandbox.postgres.backend import PostgresBackend
from sandbox.postgres.gate import PgGate


@pytest.fixture
def gated(pg: PostgresBackend) -> Iterator[PostgresBackend]:
    pg.clear_faults()
    yield pg
    pg.clear_faults()


def test_server_dsns_name_the_gate_and_the_sandbox_connects_directly(gated):
    env_port = psycopg.conninfo.conninfo_to_dict(gated.env()["DATABASE_URL"])["port"]
    assert int(env_port) == gated.gate.port != gated.port
    assert f":{gated.port}/" in gated.admin_dsn()


def test_relayed_queries_work_and_are_counted(gated):
    before = gated.gate.stats.relayed
    with psycopg.connect(gated.env()["DATABASE_URL_READONLY"], connect_timeout=5) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] > 0
    assert gated.gate.stats.relayed == before + 1


def test_refuse_resets_new_connections_and_cuts_open_ones(gated):
    dsn = gated.env()["DATABASE_URL_READONLY"]
    with psycopg.connect(dsn, connect_timeout=5, autocommit=True) as held:
        held.execute("SELECT 1")
        gated.set_faults(refuse=True)
        started = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(dsn, connect_timeout=5)
        assert time.monotonic() - started < 2, "a refusal must be immediate"
        with pytest.raises(psycopg.OperationalError):
            held.execute("SELECT 1")  # the pooled connection was cut too
    gated.clear_faults()
    with psycopg.connect(dsn, connect_timeout=5) as conn:  # and the database is back
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_refusal_leaves_the_fingerprint_alone(gated):
    before = gated.fingerprint()
    gated.set_faults(refuse=True)
    assert gated.fingerprint() == before  # the oracle's connections do not pass the gate
    assert gated.changes_since(before) == []


def test_delay_slows_new_and_open_connections_once(gated):
    dsn = gated.env()["DATABASE_URL_READONLY"]
    with psycopg.connect(dsn, connect_timeout=5, autocommit=True) as held:
        gated.set_faults(delay_ms=600)
        started = time.monotonic()
        held.execute("SELECT 1")
        first = time.monotonic() - started
        started = time.monotonic()
        held.execute("SELECT 1")
        second = time.monotonic() - started
    assert first >= 0.55 and second < 0.3, (first, second)
    started = time.monotonic()
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        conn.execute("SELECT 1")
    assert time.monotonic() - started >= 0.55


def test_bad_delay_is_refused_and_stop_is_idempotent(pg):
    with pytest.raises(ValueError, match="delay_ms"):
        pg.set_faults(delay_ms=-1)
    gate = PgGate(pg.port).start()
    port = gate.port
    gate.stop()
    gate.stop()
    with pytest.raises(OSError):
        import socket

        socket.create_connection(("127.0.0.1", port), timeout=1).close()
