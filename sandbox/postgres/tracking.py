"""Read the change tracking: one cheap query per database for the fingerprint.

What the fingerprint covers, per database:
* `max(change_log.id)`: every committed DML/TRUNCATE/DDL since the seed;
* every sequence's `last_value` (nextval/setval do not fire triggers, and a
  rolled-back INSERT still advances its sequence: a lasting side effect);
* the number of large objects (lo_create needs no table privilege).
And once per cluster: a digest of the roles and per-role settings, because a
role may change its own password or `ALTER ROLE ... SET` defaults, which no
trigger sees. The audit log's own sequence is excluded: a rolled-back write
advances it without changing any state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

FINGERPRINT_SQL = """
SELECT
  (SELECT coalesce(max(id), 0) FROM sandbox_audit.change_log),
  (SELECT coalesce(string_agg(format('%s.%s=%s', schemaname, sequencename, last_value), ','
                              ORDER BY schemaname, sequencename), '')
     FROM pg_catalog.pg_sequences WHERE schemaname <> 'sandbox_audit'),
  (SELECT count(*) FROM pg_catalog.pg_largeobject_metadata)
"""

GLOBALS_SQL = """
SELECT md5(
  (SELECT coalesce(string_agg(a::text, ',' ORDER BY a.oid), '') FROM pg_catalog.pg_authid a)
  || '|' ||
  (SELECT coalesce(string_agg(s::text, ',' ORDER BY s.setdatabase, s.setrole), '')
     FROM pg_catalog.pg_db_role_setting s))
"""

CHANGES_SQL = """
SELECT object, operation, sum(row_count)::bigint, string_agg(DISTINCT nullif(detail, ''), ', '), min(id)
FROM sandbox_audit.change_log WHERE id > %s
GROUP BY object, operation ORDER BY min(id)
"""


@dataclass(frozen=True)
class DbState:
    """The tracked state of one database."""

    log_id: int
    sequences: dict[str, int | None] = field(default_factory=dict)
    large_objects: int = 0

    def token(self) -> str:
        seqs = ",".join(f"{k}={v}" for k, v in sorted(self.sequences.items()))
        return f"{self.log_id};{seqs};{self.large_objects}"

    def as_dict(self) -> dict:
        return {"log_id": self.log_id, "sequences": dict(self.sequences), "large_objects": self.large_objects}

    @classmethod
    def from_dict(cls, raw: dict) -> DbState:
        return cls(raw["log_id"], dict(raw["sequences"]), raw["large_objects"])


def _parse_sequences(text: str) -> dict[str, int | None]:
    result: dict[str, int | None] = {}
    if not text:
        return result
    for item in text.split(","):
        name, _, value = item.rpartition("=")
        result[name] = int(value) if value else None
    return result


def read_state(conn: psycopg.Connection) -> DbState:
    row = conn.execute(FINGERPRINT_SQL, prepare=True).fetchone()
    assert row is not None
    return DbState(int(row[0]), _parse_sequences(row[1]), int(row[2]))


def read_globals(conn: psycopg.Connection) -> str:
    row = conn.execute(GLOBALS_SQL, prepare=True).fetchone()
    assert row is not None
    return str(row[0])


def read_changes(conn: psycopg.Connection, after_id: int) -> list[tuple[str, str, int, str]]:
    """(object, operation, rows, detail) for log entries after `after_id`, oldest first."""
    rows = conn.execute(CHANGES_SQL, (after_id,)).fetchall()
    return [(obj, op, int(n), detail or "") for obj, op, n, detail, _ in rows]
