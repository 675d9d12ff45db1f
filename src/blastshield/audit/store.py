"""What every audit store provides, and which store a location names.

Kept light for the hook path: the Protocol exists for the type checker only, and
:class:`StoredRow` (used by verify) is a NamedTuple.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any, Protocol

    from blastshield.audit.events import Checkpoint, Record
    from blastshield.audit.query import Filter

    #: Called inside an append's transaction with the records just chained: the checkpoints to
    #: store in that same transaction (so they commit, or roll back, with them).
    Seal = Callable[[list[Record]], list[Checkpoint]]

    class AuditStore(Protocol):
        location: str  # a path or a URL without its password: names the log in messages

        def log_id(self) -> str: ...

        def append(self, fields: dict[str, Any]) -> Record:
            """Chain and write one record in one transaction; returns it once it is durable."""

        def append_many(self, batch: Sequence[dict[str, Any]], seal: Seal | None = None) -> list[Record]:
            """Chain and write records in one transaction (one commit, one sync), with the
            checkpoints ``seal`` returns; durable on return."""

        def add_checkpoint(self, checkpoint: Checkpoint) -> None: ...

        def checkpoints(self) -> list[Checkpoint]: ...

        def select(self, selection: Filter) -> Iterator[Record]: ...

        def rows(self) -> Iterator[StoredRow]:
            """Every record in seq order, as stored."""

        def count(self) -> int: ...

        def close(self) -> None: ...


#: One record exactly as stored: verify re-hashes ``body`` and compares ``columns``. The
#: functional form takes real types, not annotation strings that typing would compile at import.
StoredRow = NamedTuple("StoredRow",  # noqa: UP014
                       [("seq", int), ("hash", str), ("body", str), ("columns", dict[str, str])])


def is_postgres(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def location_id(location: str) -> str:
    """A stable short name for a store location (for anchors and spool files)."""
    from blastshield.sha256 import sha256_hex

    return sha256_hex(location.encode())[:16]


def open_store(location: str, *, synchronous: str = "FULL", create: bool = True) -> AuditStore:
    """The store a path or a ``postgresql://`` URL names. ``create=False`` opens an existing log only."""
    if is_postgres(location):
        from blastshield.audit.store_postgres import PostgresStore

        return PostgresStore(location, create=create)
    from blastshield.audit.store_sqlite import SqliteStore

    return SqliteStore(location, synchronous=synchronous, create=create)
