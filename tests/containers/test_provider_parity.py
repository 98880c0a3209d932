"""One module, both providers: the container provider must behave like the local one.

Every test runs once per provider (`local`, `docker`); the comparisons take the
local sandbox as the reference, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import httpx
import psycopg
import psycopg.sql
import pytest

from sandbox import data
from sandbox.sandbox import Sandbox

pytestmark = [pytest.mark.containers, pytest.mark.timeout(600)]

TABLES_SQL = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'secrets_vault' ORDER BY 1
"""


def table_digests(sb: Sandbox) -> dict[str, dict[str, str]]:
    """Every table's rows, in id order, as text: equal iff both providers hold the same data.

    `secrets_vault` is left out: its canary is random per template by design.
    """
    pg = sb.backend("postgres")
    digests: dict[str, dict[str, str]] = {}
    for db in ("enterprise", "knowledge"):
        with psycopg.connect(pg.admin_dsn(db), autocommit=True) as conn:
            digests[db] = {}
            for (table,) in conn.execute(TABLES_SQL).fetchall():
                query = psycopg.sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {} t"
                ).format(psycopg.sql.Identifier(table))
                digests[db][table] = str(conn.execute(query).fetchone())
    return digests


def jira(sb: Sandbox) -> httpx.Client:
    env = sb.env()
    return httpx.Client(
        base_url=env["JIRA_URL"], timeout=10.0, headers={"Authorization": f"Bearer {env['JIRA_API_TOKEN']}"}
    )


def test_env_contract_is_the_same(sb: Sandbox, local_sb: Sandbox) -> None:
    env = sb.env()
    assert sorted(env) == sorted(local_sb.env())
    assert env["SANDBOX_SEED"] == str(data_seed := 42) and data_seed == sb.seed
    assert env["VECTOR_BACKEND"] == local_sb.env()["VECTOR_BACKEND"]
    for key in ("DATABASE_URL", "DATABASE_URL_READONLY", "VECTOR_URL", "JIRA_URL"):
        assert urlparse(env[key]).hostname == "127.0.0.1", key  # loopback only, whatever the provider
    assert urlparse(env["DATABASE_URL"]).username == "app"
    assert urlparse(env["DATABASE_URL_READONLY"]).username == "app_ro"


def test_same_seed_same_data(sb: Sandbox, local_sb: Sandbox) -> None:
    pg = sb.backend("postgres")
    assert pg.template.meta["data_hash"] == data.data_hash(sb.seed, sb.sizes)
    assert pg.template.meta["data_hash"] == local_sb.backend("postgres").template.meta["data_hash"]
    assert table_digests(sb) == table_digests(local_sb)


def test_same_jira_tickets(sb: Sandbox, local_sb: Sandbox) -> None:
    def keys_and_summaries(box: Sandbox) -> list[Any]:
        with jira(box) as client:
            reply = client.get(
                "/rest/api/2/search",
                params={"jql": "project = SUP ORDER BY key", "maxResults": 1000, "fields": "summary"},
            )
            reply.raise_for_status()
            return [(i["key"], i["fields"]["summary"]) for i in reply.json()["issues"]]

    assert keys_and_summaries(sb) == keys_and_summaries(local_sb)


def test_fingerprint_is_stable_when_nothing_changes(sb: Sandbox) -> None:
    before = sb.fingerprint()
    with psycopg.connect(sb.env()["DATABASE_URL_READONLY"], autocommit=True) as conn:
        conn.execute("SELECT count(*) FROM customers").fetchone()
    with jira(sb) as client:
        client.get("/rest/api/2/search", params={"jql": "project = SUP"}).raise_for_status()
    assert sb.fingerprint() == before
    assert sb.changes_since(before) == []


def test_write_is_seen_and_reset_restores(sb: Sandbox) -> None:
    seed_fp = sb.fingerprint()
    with psycopg.connect(sb.env()["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("UPDATE customers SET last_viewed = now() WHERE id <= 5")
    changes = sb.changes_since(seed_fp)
    assert [(c.what, c.operation, c.count) for c in changes] == [("enterprise/public.customers", "UPDATE", 5)]
    sb.reset()
    assert sb.changes_since(seed_fp) == []
    with psycopg.connect(sb.env()["DATABASE_URL"], autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM customers WHERE last_viewed IS NOT NULL").fetchone() == (0,)


def test_reset_is_a_noop_when_clean(sb: Sandbox) -> None:
    before = sb.fingerprint()
    sb.reset()
    assert sb.fingerprint() == before


def test_readonly_role_cannot_write(sb: Sandbox) -> None:
    with (
        psycopg.connect(sb.env()["DATABASE_URL_READONLY"], autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
        conn.execute("DELETE FROM orders WHERE id = 1")


def test_jira_write_is_seen_and_reset_restores(sb: Sandbox) -> None:
    seed_fp = sb.fingerprint()
    with jira(sb) as client:
        reply = client.post(
            "/rest/api/2/issue",
            json={
                "fields": {
                    "project": {"key": "SUP"},
                    "issuetype": {"name": "Task"},
                    "summary": "parity probe",
                }
            },
        )
        assert reply.status_code == 201, reply.text
        key = reply.json()["key"]
    changes = sb.changes_since(seed_fp)
    assert any(c.backend == "jira" and c.what == key for c in changes), changes
    sb.reset()
    # The service counts its reset as a mutation (tokens never repeat), so compare state, not tokens.
    after = sb.fingerprint()
    assert after["postgres"] == seed_fp["postgres"]
    sb.reset()
    assert sb.fingerprint() == after
    with jira(sb) as client:
        assert client.get(f"/rest/api/2/issue/{key}").status_code == 404


def test_vector_search_answers(sb: Sandbox) -> None:
    from sandbox.embeddings import embed, to_pgvector

    env = sb.env()
    if env["VECTOR_BACKEND"] != "pgvector":
        pytest.skip("this PostgreSQL has no pgvector")
    with psycopg.connect(env["VECTOR_URL"], autocommit=True) as conn:
        rows = conn.execute(
            "SELECT title FROM kb_articles ORDER BY embedding <=> %s::vector LIMIT 3",
            (to_pgvector(embed("reset my password")),),
        ).fetchall()
    assert len(rows) == 3
