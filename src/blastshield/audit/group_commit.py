"""Group commit: threads that write at the same time share one transaction, and one sync.

Each writer announces itself (:meth:`GroupCommit.arrive`) before it prepares its record
(redaction, outside any lock), then queues it (:meth:`GroupCommit.submit`). The first writer to
queue while no batch is being written leads; the rest block on their own lock. The leader
waits briefly for the batch to fill (below), hands the whole queue to ``write`` (one
transaction, one commit), releases every member, and passes the lead to the first record
queued meanwhile, so a finished writer never waits for a later batch. Each member returns
only once its own record is durable, or raises the batch's error: nothing in a failed batch
is acknowledged.

Filling a batch: the leader waits (at most ``GATHER_S``) until as many records are queued
as its predecessor wrote (less the writers still busy with a follow-up, such as writing a
checkpoint's anchor), or as are queued and still being prepared, whichever is more.
Without that wait, a batch's members, released together, find that the one record queued
meanwhile already leads a batch of its own: batches alternate between one record and the
rest, and every other sync is for a single record. A writer alone never waits.

Only ``_thread`` locks: this runs on the hook path, where ``threading`` is not imported.
"""

from __future__ import annotations

import _thread

from blastshield.errors import AuditStoreError

TYPE_CHECKING = False  # typing only for mypy: the hook path imports this module
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from blastshield.audit.events import Record

#: How long a batch's leader waits at most for its batch to fill.
GATHER_S = 0.002


class Pending:
    """One writer's record waiting for a group commit. ``write`` sets ``record`` (or ``error``)
    on each member; ``done`` is released when its batch is written, or when it is to lead."""

    __slots__ = ("closes", "done", "error", "fields", "lead", "notes", "record")

    def __init__(self, fields: dict[str, Any], notes: list[str], closes: bool = False) -> None:
        self.fields = fields
        self.notes = notes  # where its writer collects warnings that did not stop the record
        self.closes = closes  # its event asks for a checkpoint (session end)
        self.record: Record | None = None
        self.error: AuditStoreError | None = None
        self.lead = False
        self.done = _thread.allocate_lock()
        self.done.acquire()


class GroupCommit:
    def __init__(self, write: Callable[[list[Pending]], Callable[[], None] | None]) -> None:
        """``write(batch)`` stores a batch, setting each member's ``record`` or ``error``; it may
        return a follow-up that the leader runs once the batch's members are released and the
        lead is passed on (work that must not hold up the next batch)."""
        self._write = write
        self._queue: list[Pending] = []
        self._lock = _thread.allocate_lock()  # guards every field below
        self._leading = False  # a batch is being written (its leader will pass the lead on)
        self._preparing = 0  # writers between ``arrive`` and ``submit``
        self._last_batch = 1  # how many records the previous batch held
        self._away = 0  # writers of earlier batches still doing their leader's follow-up work
        self._expect = 0  # a leader waits on ``_filled`` until this many are queued (0: nobody waits)
        self._filled = _thread.allocate_lock()  # released by the writer that queues the last of them
        self._filled.acquire()

    def arrive(self) -> None:
        """A writer starts preparing a record (call ``submit`` or ``leave`` next)."""
        with self._lock:
            self._preparing += 1

    def leave(self) -> None:
        """A writer that arrived gives up (its record could not be prepared)."""
        self._queue_up(None)

    def submit(self, mine: Pending) -> Record:
        """Queue ``mine``; returns its record once it is durable. Raises AuditStoreError."""
        self._queue_up(mine)
        if not mine.lead:
            mine.done.acquire()  # released when my batch is written, or when I am to lead
        if mine.lead:
            self._lead()
        if mine.error is not None:  # a fresh exception per thread: tracebacks are per raise
            raise AuditStoreError(mine.error.message, hint=mine.error.hint) from mine.error
        assert mine.record is not None
        return mine.record

    def _queue_up(self, mine: Pending | None) -> None:
        with self._lock:
            self._preparing -= 1
            if mine is not None:
                self._queue.append(mine)
                if not self._leading:
                    self._leading = mine.lead = True
            if self._expect and len(self._queue) >= self._expect:
                self._expect = 0
                self._filled.release()

    def _fill(self) -> None:
        """As the leader: wait (at most ``GATHER_S``) for the records a batch is likely to hold."""
        with self._lock:
            expect = max(self._last_batch - self._away, len(self._queue) + self._preparing)
            if len(self._queue) >= expect:
                return
            self._expect = expect
        woken = self._filled.acquire(timeout=GATHER_S)
        with self._lock:
            if woken:
                return
            if self._expect:  # timed out: stop waiting
                self._expect = 0
                return
        self._filled.acquire()  # released just after the timeout: take it back (it is free)

    def _lead(self) -> None:
        """As the leader: write the queue in one transaction, release its members, pass the lead."""
        self._fill()
        with self._lock:
            batch, self._queue = self._queue, []
            self._last_batch = len(batch)
        after: Callable[[], None] | None = None
        try:
            after = self._write(batch)
        finally:
            for item in batch:
                if item.record is None and item.error is None:  # not written: never acknowledged
                    item.error = AuditStoreError("the audit write was interrupted",
                                                 hint="retry; the record was not stored")
                item.lead = False
                if item.done.locked():
                    item.done.release()
            with self._lock:
                if self._queue:
                    following = self._queue[0]
                    following.lead = True
                    following.done.release()
                else:
                    self._leading = False
        if after is not None:
            with self._lock:
                self._away += 1  # a batch forming meanwhile does not wait for this writer
            try:
                after()
            finally:
                with self._lock:
                    self._away -= 1
