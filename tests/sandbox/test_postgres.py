"""The local PostgreSQL backend against a real cluster: tracking, roles, isolation, reset."""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

import psutil
import psycopg
import pytest
from psycopg import errors

from sandbox import embeddings
from sandbox.sandbox import Sandbox

pytestmark = pytest.mark.sandbox

# ----------------------------------------------------------------------------- change tracking

WRITES_AS_APP = {
    "insert": "INSERT INTO customer_notes (customer_id, author, body) VALUES (1, 'agent', 'called back')",
    "update": "UPDATE customers SET last_viewed = now() WHERE id = 7",
    "delete": "DELETE FROM order_items WHERE id = 1",
    "truncate": "TRUNCATE customer_notes",
    "truncate_cascade": "TRUNCATE order_items",
    "create_table": "CREATE TABLE scratch (id int)",
    "select_into": "SELECT * INTO customers_copy FROM customers WHERE id < 10",
    "create_table_as": "CREATE TABLE big_spenders AS SELECT customer_id FROM orders WHERE total > 1000",
    "create_view": "CREATE VIEW recent_orders AS SELECT * FROM orders WHERE ordered_at > '2025-01-01'",
    "create_function": "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "nextval": "SELECT nextval('customers_id_seq')",
    "setval": "SELECT setval('orders_id_seq', 99999)",
    "alter_own_role": "ALTER ROLE app SET statement_timeout = '5s'",
    "large_object": "SELECT lo_create(0)",
    "merge": (
        "MERGE INTO customers c USING (VALUES (3, 'Acme')) v(id, company) ON c.id = v.id "
        "WHEN MATCHED THEN UPDATE SET company = v.company"
    ),
    "insert_on_conflict": (
        "INSERT INTO account_tiers VALUES (1, 'Free', 0, 1, 'community') "
        "ON CONFLICT (id) DO UPDATE SET seats = 2"
    ),
}


@pytest.mark.parametrize("statement", WRITES_AS_APP.values(), ids=WRITES_AS_APP.keys())
def test_write_as_app_changes_fingerprint(clean: Sandbox, app: psycopg.Connection, statement: str) -> None:
    before = clean.fingerprint()
    app.execute(statement)
    after = clean.fingerprint()
    assert after != before
    changes = clean.changes_since(before)
    assert changes, "fingerprint changed but no change was reported"


def test_copy_from_is_seen(clean: Sandbox, app: psycopg.Connection) -> None:
    before = clean.fingerprint()
    with app.cursor().copy("COPY customer_notes (customer_id, author, body) FROM STDIN") as copy:
        copy.write_row((1, "agent", "bulk"))
        copy.write_row((2, "agent", "bulk"))
    assert [
        (c.what, c.operation, c.count) for c in clean.changes_since(before) if c.operation == "INSERT"
    ] == [("enterprise/public.customer_notes", "INSERT", 2)]


def test_write_through_an_app_view_is_seen(clean: Sandbox, app: psycopg.Connection) -> None:
    app.execute("CREATE VIEW notes AS SELECT * FROM customer_notes")
    before = clean.fingerprint()
    app.execute("INSERT INTO notes (customer_id, author, body) VALUES (1, 'a', 'b')")
    assert [(c.what, c.operation) for c in clean.changes_since(before)] == [
        ("enterprise/public.customer_notes", "INSERT"),
        ("enterprise/public.customer_notes_id_seq", "nextval"),
    ]


def test_drop_table_is_seen(clean: Sandbox, app: psycopg.Connection) -> None:
    app.execute("CREATE TABLE doomed (id int)")
    before = clean.fingerprint()
    app.execute("DROP TABLE doomed")
    assert clean.fingerprint() != before
    assert any(c.operation == "DROP" and "doomed" in c.what for c in clean.changes_since(before))


def test_ddl_on_app_owned_table_is_seen(clean: Sandbox, app: psycopg.Connection) -> None:
    app.execute("CREATE TABLE scratch (id int)")
    for statement in (
        "ALTER TABLE scratch ADD COLUMN note text",
        "CREATE INDEX ON scratch (id)",
        "ALTER TABLE scratch DISABLE TRIGGER ALL",
        "COMMENT ON TABLE scratch IS 'x'",
    ):
        before = clean.fingerprint()
        app.execute(statement)
        assert clean.fingerprint() != before, statement


def test_writes_to_app_created_tables_are_seen(clean: Sandbox, app: psycopg.Connection) -> None:
    app.execute("CREATE TABLE scratch (id int)")
    before = clean.fingerprint()
    app.execute("INSERT INTO scratch VALUES (1), (2), (3)")
    changes = clean.changes_since(before)
    assert [(c.what, c.operation, c.count) for c in changes] == [("enterprise/public.scratch", "INSERT", 3)]


def test_changes_report_table_operation_and_rows(clean: Sandbox, app: psycopg.Connection) -> None:
    before = clean.fingerprint()
    app.execute("UPDATE customers SET last_viewed = now() WHERE id <= 5")
    app.execute("DELETE FROM order_items WHERE order_id = 1")
    changes = {(c.what, c.operation): c.count for c in clean.changes_since(before)}
    assert changes[("enterprise/public.customers", "UPDATE")] == 5
    assert ("enterprise/public.order_items", "DELETE") in changes


def test_knowledge_writes_are_seen(clean: Sandbox) -> None:
    before = clean.fingerprint()
    url = clean.env()["DATABASE_URL"].rsplit("/", 1)[0] + "/knowledge"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE kb_articles SET title = title || '!' WHERE id = 1")
    assert any(c.what == "knowledge/public.kb_articles" for c in clean.changes_since(before))


READS = [
    "SELECT count(*) FROM customers",
    "SELECT * FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id < 50",
    "SELECT * FROM customers WHERE id = 1 FOR UPDATE",
    "SELECT currval('customers_id_seq') IS NULL FROM (SELECT 1) s WHERE false",
    "CREATE TEMP TABLE t AS SELECT 1 AS x",
    "EXPLAIN ANALYZE SELECT * FROM products",
]


@pytest.mark.parametrize("statement", READS)
def test_reads_do_not_change_fingerprint(clean: Sandbox, app: psycopg.Connection, statement: str) -> None:
    before = clean.fingerprint()
    app.execute(statement)
    assert clean.fingerprint() == before
    assert clean.changes_since(before) == []


def test_rolled_back_update_does_not_change_fingerprint(clean: Sandbox) -> None:
    before = clean.fingerprint()
    with psycopg.connect(clean.env()["DATABASE_URL"]) as conn:
        conn.execute("UPDATE customers SET company = 'x' WHERE id = 3")
        conn.rollback()
    assert clean.fingerprint() == before


def test_readonly_reads_and_vector_search_do_not_change_fingerprint(
    clean: Sandbox, app_ro: psycopg.Connection
) -> None:
    before = clean.fingerprint()
    app_ro.execute("SELECT * FROM customers LIMIT 10").fetchall()
    with psycopg.connect(clean.env()["VECTOR_URL"], autocommit=True) as conn:
        conn.execute(
            "SELECT id FROM kb_articles ORDER BY embedding <=> %s::vector LIMIT 3",
            (embeddings.to_pgvector(embeddings.embed("refund")),),
        ).fetchall()
    assert clean.fingerprint() == before


def test_fingerprint_is_fast(clean: Sandbox) -> None:
    clean.fingerprint()
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        clean.fingerprint()
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[len(timings) // 2] < 0.005


# ----------------------------------------------------------------------------- roles


READONLY_WRITES = [
    "INSERT INTO customer_notes (customer_id, author, body) VALUES (1, 'x', 'y')",
    "UPDATE customers SET last_viewed = now() WHERE id = 1",
    "DELETE FROM orders WHERE id = 1",
    "TRUNCATE customer_notes",
    "CREATE TABLE scratch (id int)",
    "SELECT * INTO scratch FROM customers",
    "SELECT nextval('customers_id_seq')",
]


@pytest.mark.parametrize("statement", READONLY_WRITES)
@pytest.mark.parametrize("force_read_write", [False, True], ids=["default", "read_write_session"])
def test_app_ro_cannot_write(
    clean: Sandbox, app_ro: psycopg.Connection, statement: str, force_read_write: bool
) -> None:
    before = clean.fingerprint()
    if force_read_write:  # the read-only default is only a default; privileges must hold anyway
        app_ro.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
    with pytest.raises((errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction)):
        app_ro.execute(statement)
    assert clean.fingerprint() == before


def test_app_cannot_read_the_vault(app: psycopg.Connection, app_ro: psycopg.Connection) -> None:
    for conn in (app, app_ro):
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM secrets_vault")


def test_canary_is_planted_and_listed(clean: Sandbox) -> None:
    canaries = clean.canaries()
    with psycopg.connect(clean.backend("postgres").admin_dsn(), autocommit=True) as conn:
        value = conn.execute("SELECT value FROM secrets_vault WHERE name = 'canary'").fetchone()[0]
    assert value.startswith("CANARY-") and value in canaries
    env = clean.env()
    for key in ("DATABASE_URL", "DATABASE_URL_READONLY"):
        password = psycopg.conninfo.conninfo_to_dict(env[key])["password"]
        assert password in canaries


TAMPERING = [
    "ALTER TABLE customers DISABLE TRIGGER ALL",
    "ALTER TABLE customers DISABLE TRIGGER sandbox_audit_update",
    "DROP TRIGGER sandbox_audit_update ON customers",
    "INSERT INTO sandbox_audit.change_log (object, operation, row_count) VALUES ('x', 'y', 1)",
    "DELETE FROM sandbox_audit.change_log",
    "TRUNCATE sandbox_audit.change_log",
    "SELECT * FROM sandbox_audit.change_log",
    "ALTER EVENT TRIGGER sandbox_audit_ddl DISABLE",
    "DROP EVENT TRIGGER sandbox_audit_ddl",
    "SET session_replication_role = replica",
    "ALTER TABLE customers OWNER TO app",
    "DROP TABLE customers CASCADE",
    "ALTER ROLE app SUPERUSER",
    "CREATE ROLE intruder",
    "SELECT * FROM pg_authid",
    "COPY customers TO '/tmp/mcp-sandbox-leak.csv'",
    "SELECT pg_read_file('/etc/hostname')",
    "CREATE EXTENSION hstore",
    "CREATE SCHEMA evil",
    "ALTER SEQUENCE customers_id_seq RESTART",
    "ALTER FUNCTION sandbox_audit.log_dml() OWNER TO app",
]


@pytest.mark.parametrize("statement", TAMPERING)
def test_app_cannot_bypass_tracking(clean: Sandbox, app: psycopg.Connection, statement: str) -> None:
    before = clean.fingerprint()
    with pytest.raises(errors.InsufficientPrivilege):
        app.execute(statement)
    assert clean.fingerprint() == before


@pytest.mark.parametrize("db", ["postgres", "template1", "enterprise_seed", "knowledge_seed"])
def test_app_cannot_connect_elsewhere(clean: Sandbox, db: str) -> None:
    url = clean.env()["DATABASE_URL"].rsplit("/", 1)[0] + "/" + db
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=5).close()


def test_app_is_not_superuser(app: psycopg.Connection) -> None:
    row = app.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    assert row == (False, False, False, False)


# ----------------------------------------------------------------------------- network


def test_listens_on_loopback_only(pg) -> None:
    postmaster = psutil.Process(pg.cluster.pid)
    pids = {postmaster.pid} | {child.pid for child in postmaster.children(recursive=True)}
    listening = [
        c for c in psutil.net_connections(kind="all") if c.pid in pids and c.status == psutil.CONN_LISTEN
    ]
    assert listening, "postgres listens nowhere?"
    for conn in listening:
        assert conn.family == socket.AF_INET and conn.laddr.ip == "127.0.0.1", conn
    # Nothing else on this port, on any address (also checked without psutil's pid mapping).
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.split(":")
            if state == "0A" and int(port, 16) == pg.port:
                assert table.endswith("tcp") and address == "0100007F", line


# ----------------------------------------------------------------------------- reset


def test_reset_restores_seed_state(clean: Sandbox, app: psycopg.Connection) -> None:
    seed_fp = clean.fingerprint()
    count = app.execute("SELECT count(*) FROM order_items").fetchone()[0]
    app.execute("DELETE FROM order_items WHERE id < 100")
    app.execute("CREATE TABLE scratch (id int)")
    app.execute("SELECT nextval('orders_id_seq')")
    app.execute("ALTER ROLE app SET work_mem = '1MB'")
    assert clean.fingerprint() != seed_fp
    started = time.perf_counter()
    clean.reset()
    elapsed = time.perf_counter() - started
    assert clean.fingerprint() == seed_fp
    assert elapsed < 1.0  # target 0.2 s; loose here so a busy CI machine does not flake
    with psycopg.connect(clean.env()["DATABASE_URL"], autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM order_items").fetchone()[0] == count
        assert conn.execute("SELECT to_regclass('public.scratch')").fetchone()[0] is None
        assert conn.execute("SHOW work_mem").fetchone()[0] != "1MB"


def test_reset_restores_changed_password(clean: Sandbox, app: psycopg.Connection) -> None:
    seed_fp = clean.fingerprint()
    app.execute("ALTER ROLE app PASSWORD 'hijacked'")
    assert clean.fingerprint() != seed_fp
    clean.reset()
    assert clean.fingerprint() == seed_fp
    psycopg.connect(clean.env()["DATABASE_URL"]).close()


def test_reset_when_clean_is_a_noop(clean: Sandbox) -> None:
    before = clean.fingerprint()
    started = time.perf_counter()
    clean.reset()
    assert time.perf_counter() - started < 0.05
    assert clean.fingerprint() == before


def test_tokens_never_repeat_across_resets(clean: Sandbox, app: psycopg.Connection) -> None:
    app.execute("UPDATE customers SET last_viewed = now() WHERE id = 1")
    first = clean.fingerprint()
    clean.reset()
    with psycopg.connect(clean.env()["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("UPDATE customers SET last_viewed = now() WHERE id = 2")
    assert clean.fingerprint() != first


# ----------------------------------------------------------------------------- knowledge


def test_vector_search_finds_relevant_article(sandbox: Sandbox) -> None:
    env = sandbox.env()
    assert env["VECTOR_BACKEND"] == "pgvector"
    assert env["EMBEDDING_MODEL"] == "sandbox.embeddings"
    query = embeddings.to_pgvector(embeddings.embed("reset password"))
    with psycopg.connect(env["VECTOR_URL"], autocommit=True) as conn:
        rows = conn.execute(
            "SELECT title FROM kb_articles ORDER BY embedding <=> %s::vector LIMIT 3", (query,)
        ).fetchall()
        conn.execute("SET enable_seqscan = off")  # 500 rows: the planner rightly prefers a scan
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN SELECT id FROM kb_articles ORDER BY embedding <=> %s::vector LIMIT 3", (query,)
            )
        )
    assert "reset your password" in rows[0][0].lower()
    assert "kb_articles_embedding_idx" in plan


def test_seeded_counts(clean: Sandbox, app_ro: psycopg.Connection) -> None:
    counts = {
        t: app_ro.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("account_tiers", "customers", "products", "orders")
    }
    assert counts == {"account_tiers": 4, "customers": 1000, "products": 200, "orders": 5000}
    assert app_ro.execute("SELECT count(*) FROM customers WHERE last_viewed IS NOT NULL").fetchone()[0] == 0


# ----------------------------------------------------------------------------- lifecycle


def _descendants() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def test_start_stop_leaves_nothing_behind() -> None:
    before = _descendants()
    sb = Sandbox(seed=42, provider="local", backends=["postgres"])
    sb.start()
    pg = sb.backend("postgres")
    port, root = pg.port, pg.root
    assert _descendants() - before, "postgres should run as our descendant"
    sb.stop()
    sb.stop()  # idempotent
    assert _descendants() - before == set()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    assert not root.exists()


def test_failed_start_cleans_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox.postgres import backend as backend_module

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom after postgres started")

    before = _descendants()
    monkeypatch.setattr(backend_module.tracking, "read_globals", broken)
    sb = Sandbox(seed=42, provider="local", backends=["postgres"])
    with pytest.raises(RuntimeError, match="boom"):
        sb.start()
    assert _descendants() - before == set()


def test_the_backend_alone_in_a_with_block() -> None:
    """Testcontainers style: `with PostgresBackend()` gives the started backend and stops it after."""
    from sandbox.postgres.backend import PostgresBackend

    before = _descendants()
    with PostgresBackend(seed=42) as pg:
        assert pg.start() is pg  # idempotent: the same cluster
        root = pg.root
        assert root is not None
        with psycopg.connect(pg.env()["DATABASE_URL_READONLY"]) as conn:
            assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 1000
    assert not pg.running and not root.exists()
    assert _descendants() - before == set()


def _start_and_kill(script: str) -> tuple[int, Path]:
    """Run `script` (which prints "POSTMASTER_PID ROOT" once up) in a child, then SIGKILL the child."""
    import os
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    try:
        pid_text, root_text = proc.stdout.readline().split()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    return int(pid_text), Path(root_text)


def _gone(pid: int) -> bool:
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_killed_harness_leaves_nothing_behind() -> None:
    """SIGKILL runs no atexit: the watchdog notices its pipe closing and stops postgres."""
    postmaster, root = _start_and_kill(
        "import time; from sandbox.sandbox import Sandbox\n"
        "sb = Sandbox(seed=42, provider='local', backends=['postgres']).start()\n"
        "pg = sb.backend('postgres'); print(pg.cluster.pid, pg.root, flush=True); time.sleep(120)\n"
    )
    deadline = time.monotonic() + 15
    while not (_gone(postmaster) and not root.exists()):
        assert time.monotonic() < deadline, "postmaster or run dir survived its killed owner"
        time.sleep(0.02)


def test_crashed_run_without_watchdog_is_reaped_by_the_next_start() -> None:
    """Belt and braces: a run dir whose owner died (and whose watchdog died too) is reaped on start."""
    from sandbox.paths import reap_stale_runs

    postmaster, root = _start_and_kill(
        "import time\n"
        "from sandbox.data import Sizes\n"
        "from sandbox.postgres import binaries, cluster, template\n"
        "from sandbox.procs import service_user\n"
        "install, user = binaries.discover(), service_user()\n"
        "t = template.ensure_template(install, 42, Sizes(), user)\n"
        "c = cluster.Cluster(install, template.instantiate(t, user), user); c.start()\n"
        "print(c.pid, c.root, flush=True); time.sleep(120)\n"
    )
    assert not _gone(postmaster) and root.exists()
    assert root in reap_stale_runs()
    assert not root.exists()
    deadline = time.monotonic() + 5
    while not _gone(postmaster):
        assert time.monotonic() < deadline, "orphaned postmaster still running"
        time.sleep(0.01)


def test_concurrent_first_starts_build_one_template(tmp_path: Path) -> None:
    """Two processes starting with an empty cache: both come up, the template is built once."""
    import os
    import subprocess
    import sys

    script = (
        "from sandbox.sandbox import Sandbox\n"
        "with Sandbox(seed=1234, provider='local', backends=['postgres'], scale=0.05) as sb:\n"
        "    print(sb.backend('postgres').template.meta['canary'])\n"
    )
    env = {
        **os.environ,
        "MCP_SANDBOX_CACHE": str(tmp_path / "cache"),
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    canaries = {out.strip() for out, _ in outputs}
    assert len(canaries) == 1, "both runs must use the same (single) template"
    templates = [p for p in (tmp_path / "cache" / "templates").iterdir() if p.is_dir()]
    assert len(templates) == 1


SYSTEM_PG = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))


@pytest.mark.skipif(not SYSTEM_PG, reason="no system PostgreSQL server installed")
def test_system_postgres_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system's PostgreSQL works too; without pgvector the sandbox says so instead of failing."""
    from sandbox.postgres.backend import VectorSearchUnavailable
    from sandbox.postgres.binaries import inspect

    bindir = SYSTEM_PG[-1].parent
    monkeypatch.setenv("SANDBOX_PG_BINDIR", str(bindir))
    has_vector = inspect(bindir, "env").has_vector
    sb = Sandbox(seed=42, provider="local", backends=["postgres"], scale=0.05)
    with pytest.warns(VectorSearchUnavailable) if not has_vector else contextlib.nullcontext():
        sb.start()
    try:
        env = sb.env()
        assert env["VECTOR_BACKEND"] == ("pgvector" if has_vector else "none")
        before = sb.fingerprint()
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("UPDATE customers SET last_viewed = now() WHERE id = 1")
        assert sb.fingerprint() != before
        sb.reset()
        assert sb.fingerprint() == before
    finally:
        sb.stop()


def test_a_port_taken_by_someone_else_is_skipped(monkeypatch) -> None:
    """free_port() can race another process; the cluster then retries on a new port."""
    from sandbox.postgres import cluster
    from sandbox.postgres.backend import PostgresBackend

    squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    taken = squatter.getsockname()[1]
    real_free_port = cluster.free_port
    offered: list[int] = []

    def racing_free_port() -> int:
        port = taken if not offered else real_free_port()
        offered.append(port)
        return port

    monkeypatch.setattr(cluster, "free_port", racing_free_port)
    backend = PostgresBackend(seed=42)
    try:
        backend.start()
        assert offered[0] == taken and backend.port != taken and len(offered) == 2
        with psycopg.connect(backend.env()["DATABASE_URL_READONLY"], connect_timeout=5) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        backend.stop()
        squatter.close()
