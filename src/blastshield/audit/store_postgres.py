"""The team store: PostgreSQL through psycopg 3, chosen by a ``postgresql://`` URL.

Same records, same chain, same verify as SQLite. Appends are serialised with a
transaction-scoped advisory lock taken before the head is read, so concurrent writers
on many machines keep one linear chain. psycopg is imported only here.
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from blastshield.audit.append import CHECKPOINT_COLUMNS, append_rows, checkpoint_values
from blastshield.audit.events import INDEXED_COLUMNS, Checkpoint, Record, utc_now
from blastshield.errors import AuditStoreError

if TYPE_CHECKING:
    from blastshield.audit.query import Filter
    from blastshield.audit.store import Seal, StoredRow

_LOCK_ID = 0x626C617374  # "blast": the advisory lock that serialises appends
_TABLE = "blastshield_records"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS blastshield_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {_TABLE} ("
    " seq BIGINT PRIMARY KEY, time TEXT NOT NULL, event TEXT NOT NULL, host TEXT NOT NULL,"
    " session_id TEXT NOT NULL, tool_use_id TEXT NOT NULL, tool TEXT NOT NULL, decision TEXT NOT NULL,"
    " applied TEXT NOT NULL, rule TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS blastshield_records_session ON {_TABLE} (session_id, seq)",
    f"CREATE INDEX IF NOT EXISTS blastshield_records_time ON {_TABLE} (time)",
    f"CREATE INDEX IF NOT EXISTS blastshield_records_tool_use ON {_TABLE} (tool_use_id)",
    "CREATE TABLE IF NOT EXISTS blastshield_checkpoints (count BIGINT PRIMARY KEY, log_id TEXT NOT NULL,"
    " head TEXT NOT NULL, time TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL)",
)


def redact_url(url: str) -> str:
    """The URL without its password (for messages and anchors)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class PostgresStore:
    def __init__(self, url: str, *, create: bool = True) -> None:
        self.location = redact_url(url)
        try:
            import psycopg
        except ImportError as exc:
            raise AuditStoreError("a postgresql:// store needs psycopg",
                                  hint="pip install 'blastshield[postgres]'") from exc
        self._psycopg = psycopg
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise self._error("cannot connect", exc) from exc
        try:
            self._log_id = self._read_log_id()
            if self._log_id is None:
                if not create:
                    raise AuditStoreError(f"{self.location}: no blastshield audit log in this database",
                                          hint="pass the right --store URL")
                self._log_id = self._initialise()
        except psycopg.Error as exc:
            self._conn.close()
            raise self._error("cannot open", exc) from exc

    def _error(self, doing: str, exc: BaseException) -> AuditStoreError:
        text = " ".join(str(exc).split()) or type(exc).__name__
        return AuditStoreError(f"{self.location}: {doing}: {text}",
                               hint="check that the server is up and the URL, user and database are right")

    def _read_log_id(self) -> str | None:
        exists = self._conn.execute("SELECT to_regclass('blastshield_meta')").fetchone()
        if not exists or exists[0] is None:
            return None
        row = self._conn.execute("SELECT value FROM blastshield_meta WHERE key = 'log_id'").fetchone()
        return str(row[0]) if row else None

    def _initialise(self) -> str:
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            for statement in _SCHEMA:
                self._conn.execute(statement)
            self._conn.execute("INSERT INTO blastshield_meta (key, value) VALUES ('log_id', %s)"
                               " ON CONFLICT DO NOTHING", (secrets.token_hex(16),))
            self._conn.execute("INSERT INTO blastshield_meta (key, value) VALUES ('created', %s)"
                               " ON CONFLICT DO NOTHING", (utc_now(),))
            row = self._conn.execute("SELECT value FROM blastshield_meta WHERE key = 'log_id'").fetchone()
        assert row is not None
        return str(row[0])

    def log_id(self) -> str:
        assert self._log_id is not None
        return self._log_id

    def append(self, fields: dict[str, Any]) -> Record:
        return self.append_many([fields])[0]

    def append_many(self, batch: Sequence[dict[str, Any]], seal: Seal | None = None) -> list[Record]:
        conn = self._conn
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
                records = append_rows(conn.execute, _TABLE, "%s", self.log_id(), batch)
                for checkpoint in seal(records) if seal is not None else ():
                    self._insert_checkpoint(checkpoint)
                return records
        except self._psycopg.Error as exc:
            raise self._error("cannot append", exc) from exc

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        try:
            self._insert_checkpoint(checkpoint)
        except self._psycopg.Error as exc:
            raise self._error("cannot write a checkpoint", exc) from exc

    def _insert_checkpoint(self, checkpoint: Checkpoint) -> None:
        self._conn.execute(f"INSERT INTO blastshield_checkpoints {CHECKPOINT_COLUMNS}"
                           " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                           checkpoint_values(checkpoint))

    def checkpoints(self) -> list[Checkpoint]:
        try:
            rows = self._conn.execute(
                "SELECT log_id, count, head, time, key_id, signature FROM blastshield_checkpoints"
                " ORDER BY count"
            ).fetchall()
        except self._psycopg.Error as exc:
            raise self._error("cannot read checkpoints", exc) from exc
        return [Checkpoint(str(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in rows]

    def select(self, selection: Filter) -> Iterator[Record]:
        from blastshield.audit.query import select_sql

        sql, params = select_sql(_TABLE, selection, "%s")
        try:
            rows = self._conn.execute(sql, params).fetchall()
        except self._psycopg.Error as exc:
            raise self._error("cannot read records", exc) from exc
        for seq, record_hash, body in rows:
            data = json.loads(body)
            yield Record(int(seq), str(data.get("time", "")), str(data.get("prev", "")), str(record_hash),
                         data)

    def rows(self) -> Iterator[StoredRow]:
        from blastshield.audit.store import StoredRow

        columns = ", ".join(INDEXED_COLUMNS)
        try:
            with self._conn.transaction(), self._conn.cursor(name="blastshield_rows") as cursor:
                cursor.execute(f"SELECT seq, hash, body, {columns} FROM {_TABLE} ORDER BY seq")
                while batch := cursor.fetchmany(2000):
                    for row in batch:
                        yield StoredRow(int(row[0]), str(row[1]), str(row[2]),
                                        dict(zip(INDEXED_COLUMNS, (str(v) for v in row[3:]), strict=True)))
        except self._psycopg.Error as exc:
            raise self._error("cannot read records", exc) from exc

    def count(self) -> int:
        try:
            row = self._conn.execute(f"SELECT count(*) FROM {_TABLE}").fetchone()
        except self._psycopg.Error as exc:
            raise self._error("cannot read records", exc) from exc
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._conn.close()
