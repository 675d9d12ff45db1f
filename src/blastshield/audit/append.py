"""Chain and insert a batch of records: the statements both SQL stores run in one transaction.

The caller holds the store's write lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL an advisory
transaction lock), so the head read first is the head the batch extends. Records of one
batch follow each other; an outcome event finds its PreToolUse even when that record is
earlier in the same, still uncommitted, batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blastshield.audit.chain import chain_next, with_field
from blastshield.audit.events import INDEXED_COLUMNS, OUTCOME_EVENTS, Record, utc_now

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from blastshield.audit.events import Checkpoint

    Execute = Callable[[str, "tuple[object, ...]"], Any]  # returns a cursor with fetchone()


def append_rows(execute: Execute, table: str, mark: str, log_id: str,
                batch: Sequence[dict[str, Any]]) -> list[Record]:
    """Insert ``batch`` after the current head; ``mark`` is the driver's placeholder (? or %s)."""
    row = execute(f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1", ()).fetchone()
    head = (int(row[0]), str(row[1])) if row else None
    columns = ", ".join(INDEXED_COLUMNS)
    insert = (f"INSERT INTO {table} (seq, {columns}, hash, body)"
              f" VALUES ({', '.join([mark] * (len(INDEXED_COLUMNS) + 3))})")
    find_pre = find_pre_sql(table, mark)
    records = []
    for fields in batch:
        if fields.get("event") in OUTCOME_EVENTS and fields.get("tool_use_id"):
            pre = execute(find_pre, (fields["tool_use_id"], fields.get("session_id", ""))).fetchone()
            fields = with_field(fields, "pre", str(pre[0]) if pre else "")
        seq, record_hash, body, text = chain_next(log_id, head, utc_now(), fields)
        execute(insert, (seq, *(str(body.get(c, "")) for c in INDEXED_COLUMNS), record_hash, text))
        head = (seq, record_hash)
        records.append(Record(seq, body["time"], body["prev"], record_hash, body))
    return records


def find_pre_sql(table: str, mark: str) -> str:
    """The newest PreToolUse record with a tool-use id, in a session: (tool_use_id, session_id)."""
    return (f"SELECT hash FROM {table} WHERE tool_use_id = {mark} AND event = 'PreToolUse'"
            f" AND session_id = {mark} ORDER BY seq DESC LIMIT 1")


#: The checkpoint columns both stores write, in :func:`checkpoint_values` order.
CHECKPOINT_COLUMNS = "(count, log_id, head, time, key_id, signature)"


def checkpoint_values(checkpoint: Checkpoint) -> tuple[object, ...]:
    return (checkpoint.count, checkpoint.log_id, checkpoint.head, checkpoint.time, checkpoint.key_id,
            checkpoint.signature)
