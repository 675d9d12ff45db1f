"""The embedded store: one SQLite file, one ``BEGIN IMMEDIATE`` transaction per record.

``BEGIN IMMEDIATE`` takes the write lock before the head is read, so concurrent hook
processes append one after another and the chain stays linear; the busy timeout makes
a writer wait its turn instead of failing.

Journal mode: new logs are created in WAL mode (readers never block the hook's
writes). A hook is one short process: in WAL mode its first open creates the ``-wal``
and ``-shm`` files and its close checkpoints and deletes them, which is most of the
time logging adds to a hook process. ``BLASTSHIELD_AUDIT_JOURNAL=TRUNCATE`` creates a
log in rollback-journal mode instead (same ``synchronous`` durability) so the two can
be measured side by side (bench/log_append.py); a log keeps the mode it was created with.

Indexes: every index a commit touches costs a page written (and synced) in that commit.
Session and time indexes grow at their right edge; an index on tool-use ids alone would
put each record on a random page of it. So an outcome finds its PreToolUse through the
session index instead, newest first, reading the tool-use id from the index itself (the
PreToolUse is usually a few records back). Logs created before this keep their older
``records_tool_use`` index, which SQLite may still use; both find the same record.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from blastshield.audit.append import CHECKPOINT_COLUMNS, append_rows, checkpoint_values
from blastshield.audit.events import INDEXED_COLUMNS, Checkpoint, Record, utc_now
from blastshield.errors import AuditStoreError

if TYPE_CHECKING:
    from blastshield.audit.query import Filter
    from blastshield.audit.store import Seal, StoredRow

JOURNAL_MODE = os.environ.get("BLASTSHIELD_AUDIT_JOURNAL", "WAL").upper()
BUSY_TIMEOUT_S = float(os.environ.get("BLASTSHIELD_AUDIT_BUSY_MS", "10000")) / 1000.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    time TEXT NOT NULL, event TEXT NOT NULL, host TEXT NOT NULL, session_id TEXT NOT NULL,
    tool_use_id TEXT NOT NULL, tool TEXT NOT NULL, decision TEXT NOT NULL, applied TEXT NOT NULL,
    rule TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_session ON records (session_id, seq, tool_use_id);
CREATE INDEX IF NOT EXISTS records_time ON records (time);
CREATE TABLE IF NOT EXISTS checkpoints (
    count INTEGER PRIMARY KEY, log_id TEXT NOT NULL, head TEXT NOT NULL, time TEXT NOT NULL,
    key_id TEXT NOT NULL, signature TEXT NOT NULL
);
"""


def _problem(exc: sqlite3.Error) -> tuple[str, str]:
    """(what is wrong, how to fix it) for an SQLite error."""
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return (f"locked by another process for more than {BUSY_TIMEOUT_S:.0f} s",
                "find the process holding it (fuser FILE) or retry")
    if "full" in lowered:
        return "the disk is full", "free space on that disk"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"corrupt database ({text})", "restore it from a backup (`blastshield log verify` checks it)"
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        return f"cannot write ({text})", "check the folder's permissions and free space"
    if "disk i/o" in lowered:
        return f"disk I/O error ({text})", "check the disk (full, read-only or failing)"
    return text, "check the file and the disk"


class SqliteStore:
    def __init__(self, path: str, *, synchronous: str = "FULL", create: bool = True) -> None:
        self.location = os.path.realpath(path)
        if synchronous not in ("FULL", "NORMAL"):
            raise AuditStoreError(f"synchronous {synchronous!r}: must be FULL or NORMAL",
                                  hint='set [audit] synchronous = "FULL"')
        if not create and not os.path.exists(self.location):
            raise AuditStoreError(f"{self.location}: no audit log there",
                                  hint="pass --store PATH, or run from a workspace whose hooks write a log")
        try:
            if create:
                os.makedirs(os.path.dirname(self.location), exist_ok=True)
            self._conn = sqlite3.connect(self.location, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                         check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise self._error("cannot open", exc) from exc
        try:
            # connect(timeout=...) already set the busy timeout; every statement here costs the hook.
            self._log_id = self._read_log_id()
            if self._log_id is None:
                if not create:
                    raise AuditStoreError(f"{self.location}: not a blastshield audit log (no meta table)",
                                          hint="pass the right --store")
                self._log_id = self._initialise()
            if JOURNAL_MODE in ("TRUNCATE", "PERSIST"):  # per connection; a WAL log stays WAL
                current = str(self._conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
                if current != "wal":
                    self._conn.execute(f"PRAGMA journal_mode = {JOURNAL_MODE}")
            self._conn.execute(f"PRAGMA synchronous = {synchronous}")
        except sqlite3.Error as exc:
            self._conn.close()
            raise self._error("cannot open", exc) from exc

    def _error(self, doing: str, exc: BaseException) -> AuditStoreError:
        if isinstance(exc, sqlite3.Error):
            problem, fix = _problem(exc)
        else:
            problem, fix = (getattr(exc, "strerror", None) or str(exc)), "check the folder and the disk"
        return AuditStoreError(f"{self.location}: {doing}: {problem}", hint=fix)

    def _read_log_id(self) -> str | None:
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'log_id'").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
        return str(row[0]) if row else None

    def _initialise(self) -> str:
        if JOURNAL_MODE == "WAL":
            self._conn.execute("PRAGMA journal_mode = WAL")
        elif JOURNAL_MODE in ("TRUNCATE", "PERSIST"):
            self._conn.execute(f"PRAGMA journal_mode = {JOURNAL_MODE}")
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            self._conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('log_id', ?)",
                               (os.urandom(16).hex(),))
            self._conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('created', ?)", (utc_now(),))
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'log_id'").fetchone()
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return str(row[0])

    def log_id(self) -> str:
        assert self._log_id is not None
        return self._log_id

    def append(self, fields: dict[str, Any]) -> Record:
        return self.append_many([fields])[0]

    def append_many(self, batch: Sequence[dict[str, Any]], seal: Seal | None = None) -> list[Record]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error("cannot append", exc) from exc
        try:
            records = append_rows(conn.execute, "records", "?", self.log_id(), batch)
            for checkpoint in seal(records) if seal is not None else ():
                self._insert_checkpoint(checkpoint)
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error("cannot append", exc) from exc
            raise
        return records

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        try:
            self._insert_checkpoint(checkpoint)
        except sqlite3.Error as exc:
            raise self._error("cannot write a checkpoint", exc) from exc

    def _insert_checkpoint(self, checkpoint: Checkpoint) -> None:
        self._conn.execute(f"INSERT OR IGNORE INTO checkpoints {CHECKPOINT_COLUMNS}"
                           " VALUES (?, ?, ?, ?, ?, ?)", checkpoint_values(checkpoint))

    def checkpoints(self) -> list[Checkpoint]:
        try:
            rows = self._conn.execute(
                "SELECT log_id, count, head, time, key_id, signature FROM checkpoints ORDER BY count"
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._error("cannot read checkpoints", exc) from exc
        return [Checkpoint(str(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in rows]

    def select(self, selection: Filter) -> Iterator[Record]:
        from blastshield.audit.query import select_sql

        sql, params = select_sql("records", selection, "?")
        try:
            cursor = self._conn.execute(sql, params)
            while batch := cursor.fetchmany(500):
                for seq, record_hash, body in batch:
                    data = json.loads(body)
                    yield Record(int(seq), str(data.get("time", "")), str(data.get("prev", "")),
                                 str(record_hash), data)
        except sqlite3.Error as exc:
            raise self._error("cannot read records", exc) from exc

    def rows(self) -> Iterator[StoredRow]:
        from blastshield.audit.store import StoredRow

        columns = ", ".join(INDEXED_COLUMNS)
        try:
            cursor = self._conn.execute(f"SELECT seq, hash, body, {columns} FROM records ORDER BY seq")
            while batch := cursor.fetchmany(1000):
                for row in batch:
                    yield StoredRow(int(row[0]), str(row[1]), str(row[2]),
                                    dict(zip(INDEXED_COLUMNS, (str(v) for v in row[3:]), strict=True)))
        except sqlite3.Error as exc:
            raise self._error("cannot read records", exc) from exc

    def count(self) -> int:
        try:
            row = self._conn.execute("SELECT count(*) FROM records").fetchone()
        except sqlite3.Error as exc:
            raise self._error("cannot read records", exc) from exc
        return int(row[0])

    def close(self) -> None:
        self._conn.close()
