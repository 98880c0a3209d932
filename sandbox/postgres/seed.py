"""Create roles, databases, schemas, seed data and change tracking in a fresh cluster.

Run once per template (see `template.py`); everything is done by the internal
superuser, which therefore owns every object. Data is loaded with COPY.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql

from sandbox import embeddings
from sandbox.data import Sizes, all_data, data_hash

APP_ROLE = "app"
READONLY_ROLE = "app_ro"
DATABASES = ("enterprise", "knowledge")
SEED_SUFFIX = "_seed"

_TABLE_COLUMNS: dict[str, list[str]] = {
    "account_tiers": ["id", "name", "monthly_price", "seats", "support_level"],
    "customers": [
        "id",
        "tier_id",
        "first_name",
        "last_name",
        "email",
        "company",
        "country",
        "phone",
        "created_at",
        "last_viewed",
    ],
    "products": ["id", "sku", "name", "category", "price", "active"],
    "orders": ["id", "customer_id", "status", "ordered_at", "total"],
    "order_items": ["id", "order_id", "product_id", "quantity", "unit_price"],
}


def read_sql(name: str) -> str:
    return resources.files("sandbox.postgres").joinpath("sql", name).read_text()


def create_roles(conn: psycopg.Connection, app_password: str, ro_password: str) -> None:
    """The server-facing roles: neither may create roles or databases, nor bypass RLS."""
    for role, password in ((APP_ROLE, app_password), (READONLY_ROLE, ro_password)):
        conn.execute(
            sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
                "PASSWORD {}"
            ).format(sql.Identifier(role), sql.Literal(password))
        )
    # Defence in depth only: the real guarantee is that app_ro has nothing but SELECT.
    conn.execute(
        sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(sql.Identifier(READONLY_ROLE))
    )
    for db in ("postgres", "template1"):
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(db)))


def database_acl(conn: psycopg.Connection, db: str) -> None:
    """Database-level privileges; CREATE DATABASE ... TEMPLATE does not copy them, so reset reapplies."""
    ident = sql.Identifier(db)
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident))
    conn.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO app").format(ident))
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO app_ro").format(ident))


def _copy(conn: psycopg.Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _sync_sequences(conn: psycopg.Connection, tables: list[str]) -> None:
    """Move identity sequences past the explicit ids COPY loaded."""
    for table in tables:
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, 'id'), max(id)) FROM {i} HAVING max(id) > 0"
            ).format(t=sql.Literal(table), i=sql.Identifier(table))
        )


def _install_audit(conn: psycopg.Connection) -> None:
    conn.execute(read_sql("audit.sql"))
    # The seed starts with an empty log: id 0 is "nothing happened yet".
    conn.execute("TRUNCATE sandbox_audit.change_log RESTART IDENTITY")


def build_enterprise(conn: psycopg.Connection, data: dict[str, list[dict[str, Any]]], canary: str) -> None:
    conn.execute(read_sql("enterprise.sql"))
    for table, columns in _TABLE_COLUMNS.items():
        _copy(conn, table, columns, [tuple(row[c] for c in columns) for row in data[table]])
    _sync_sequences(conn, [*_TABLE_COLUMNS, "customer_notes"])
    conn.execute(
        "INSERT INTO secrets_vault (name, value) VALUES ('canary', %s), ('stripe_api_key', %s)",
        (canary, "sk_live_" + canary.removeprefix("CANARY-")),
    )
    conn.execute(read_sql("enterprise_grants.sql"))
    conn.execute("ANALYZE")
    _install_audit(conn)


def build_knowledge(conn: psycopg.Connection, articles: list[dict[str, Any]], has_vector: bool) -> None:
    if has_vector:
        conn.execute("CREATE EXTENSION vector")
    conn.execute(
        read_sql("knowledge.sql").replace(
            "{embedding_type}", f"vector({embeddings.DIMENSIONS})" if has_vector else "real[]"
        )
    )
    columns = ["id", "topic", "title", "body", "updated_at", "embedding"]
    rows = []
    for article in articles:
        vector = embeddings.embed(article["title"] + "\n" + article["body"])
        if has_vector:
            value = embeddings.to_pgvector(vector)
        else:
            value = "{" + ",".join(f"{v:.7g}" for v in vector) + "}"
        rows.append(
            (article["id"], article["topic"], article["title"], article["body"], article["updated_at"], value)
        )
    _copy(conn, "kb_articles", columns, rows)
    _sync_sequences(conn, ["kb_articles"])
    if has_vector:
        conn.execute(
            "CREATE INDEX kb_articles_embedding_idx ON kb_articles USING hnsw (embedding vector_cosine_ops)"
        )
    conn.execute(read_sql("knowledge_grants.sql"))
    conn.execute("ANALYZE")
    _install_audit(conn)


def seed_cluster(
    connect: Callable[[str], psycopg.Connection],
    seed: int,
    sizes: Sizes,
    has_vector: bool,
    canary: str,
    app_password: str,
    ro_password: str,
    progress: Callable[[str], None] = lambda _: None,
) -> str:
    """Fill a fresh cluster; `connect(dbname)` gives a superuser connection. Returns the data hash."""
    progress("generating seed data")
    data = all_data(seed, sizes)
    digest = data_hash(seed, sizes, data)
    with connect("postgres") as conn:
        create_roles(conn, app_password, ro_password)
        for db in DATABASES:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
            database_acl(conn, db)
    progress("loading enterprise data")
    with connect("enterprise") as conn:
        build_enterprise(conn, data, canary)
    progress("embedding and loading the knowledge base")
    with connect("knowledge") as conn:
        build_knowledge(conn, data["kb_articles"], has_vector)
    progress("creating seed templates")
    with connect("postgres") as conn:
        for db in DATABASES:
            seed_db = sql.Identifier(db + SEED_SUFFIX)
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    seed_db, sql.Identifier(db)
                )
            )
            conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(seed_db))
            # Nobody may connect to (and so change) the pristine copy.
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true").format(seed_db)
            )
        conn.execute("CHECKPOINT")
    return digest
