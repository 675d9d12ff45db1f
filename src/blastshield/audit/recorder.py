"""The flight recorder: redact → canonicalise → chain → store (one transaction) → sinks.

The in-process hook opens one recorder per process (``open_recorder(policy)``) and calls
:meth:`Recorder.record` once or twice; the hook server keeps one open per log
(``audit.shared``). ``record`` returns only after the record is durable in the store;
any failure raises :class:`AuditStoreError` with one line, and the hook then denies in
enforce mode.

Group commit: threads that call ``record`` on one recorder at the same time share a
transaction. Each queues its prepared fields; whoever holds the write lock takes the whole
queue, chains and inserts it, and commits once (one sync for the batch), then every thread
of the batch returns its own durable record, or raises if the batch failed. Alone, a
thread's batch is its own record, exactly as before.
"""

from __future__ import annotations

import _thread
import os
from types import TracebackType
from typing import TYPE_CHECKING, Any

from blastshield.audit.events import AuditEvent, Record, sanitize_json
from blastshield.audit.redact import may_hold_secrets, redact_json
from blastshield.audit.store import is_postgres, open_store
from blastshield.errors import AuditStoreError
from blastshield.paths import expand
from blastshield.policy.model import Policy

if TYPE_CHECKING:
    from blastshield.audit.keys import SigningKey
    from blastshield.audit.store import AuditStore

#: Fields that are ids, enums or hashes: written as given, never rewritten by redaction.
_VERBATIM = frozenset({"event", "host", "session_id", "prompt_id", "tool_use_id", "tool", "decision",
                       "applied", "policy_hash", "mode", "latency_ms"})
CHECKPOINT_EVENTS = frozenset({"SessionEnd"})


def store_location(policy: Policy) -> str:
    """Where ``policy`` says the log lives: ``""`` → ``<policy folder>/audit.db``."""
    configured = policy.audit.store
    if not configured:
        return os.path.join(os.path.dirname(policy.path), "audit.db")
    if is_postgres(configured):
        return configured
    path = expand(configured, policy.workspace)
    return path if os.path.isabs(path) else os.path.join(policy.workspace, path)


def spool_folder(policy: Policy) -> str:
    """Where events wait for the OTLP sender."""
    return os.path.join(os.path.dirname(policy.path), "otlp-spool")


class _Pending:
    """One thread's record waiting for a group commit; ``done`` is released when its batch is
    committed (or failed), or when it is made the next batch's leader (``lead``)."""

    __slots__ = ("done", "error", "fields", "lead", "record")

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields
        self.record: Record | None = None
        self.error: AuditStoreError | None = None
        self.lead = False
        self.done = _thread.allocate_lock()
        self.done.acquire()


class Recorder:
    def __init__(self, store: AuditStore, *, checkpoint_every: int = 100, record_prompts: bool = False,
                 key: bytes | None = None, spool_dir: str | None = None) -> None:
        self.store = store
        self.checkpoint_every = max(1, checkpoint_every)
        self.record_prompts = record_prompts
        self._key = key
        self.spool_dir = spool_dir
        self.warnings: list[str] = []  # sink problems that did not stop the record
        self._signing: SigningKey | None = None  # loaded at the first checkpoint, then reused
        self._queue: list[_Pending] = []
        self._queue_lock = _thread.allocate_lock()
        self._write_lock = _thread.allocate_lock()  # held while the store is used: one writer
        self._leading = False  # a batch is being written (its leader will pass the lead on)

    @property
    def key(self) -> bytes:
        if self._key is None:
            from blastshield.audit.keys import redaction_key  # only when something is redacted

            self._key = redaction_key()
        return self._key

    def prepare(self, event: AuditEvent) -> dict[str, Any]:
        """The record fields for ``event``: prompt policy applied, secrets redacted, JSON-safe."""
        fields = event.fields_for_record()
        if event.event == "UserPromptSubmit" and not self.record_prompts:
            fields["extra"] = self._summarise_prompt(fields["extra"])
            if fields["action"]:
                fields["action"] = f"[prompt: {len(fields['action'])} chars]"
        redactable = [name for name in fields if name not in _VERBATIM]
        if may_hold_secrets([fields[name] for name in redactable]):
            for name in redactable:
                fields[name] = redact_json(fields[name], self.key)
        cleaned: dict[str, Any] = sanitize_json(fields)
        return cleaned

    def _summarise_prompt(self, extra: dict[str, Any]) -> dict[str, Any]:
        prompt = extra.pop("prompt", None)
        if isinstance(prompt, str):
            import hashlib
            import hmac

            extra["prompt_chars"] = len(prompt)
            extra["prompt_hmac"] = hmac.new(self.key, prompt.encode("utf-8", "surrogatepass"),
                                            hashlib.sha256).hexdigest()[:16]
        return extra

    def record(self, event: AuditEvent, notes: list[str] | None = None) -> str:
        """Write ``event``; returns the record's hash once it is durable. Raises AuditStoreError.

        Sink problems that did not stop the record go to ``notes`` (default: ``self.warnings``).
        """
        notes = self.warnings if notes is None else notes
        record = self._commit(self.prepare(event))
        if self.spool_dir:
            self._spool(record, notes)
        if record.seq % self.checkpoint_every == 0 or event.event in CHECKPOINT_EVENTS:
            with self._write_lock:
                self.checkpoint(record, notes)
        return record.hash

    def _commit(self, fields: dict[str, Any]) -> Record:
        """Append ``fields`` in the next group commit; returns its record once that is durable.

        Leader/follower: the first thread to queue while no batch is being written leads;
        the rest block on their own ``done`` lock. The leader writes everything queued (its
        own record included) in one transaction, releases each member, and hands the lead to
        the first record queued meanwhile, so a finished writer never waits for a later batch.
        """
        mine = _Pending(fields)
        with self._queue_lock:
            self._queue.append(mine)
            if not self._leading:
                self._leading = mine.lead = True
        if not mine.lead:
            mine.done.acquire()  # released when my batch is written, or when I am to lead
        if mine.lead:
            self._write_batch()
        if mine.error is not None:  # a fresh exception per thread: tracebacks are per raise
            raise AuditStoreError(mine.error.message, hint=mine.error.hint) from mine.error
        assert mine.record is not None
        return mine.record

    def _write_batch(self) -> None:
        """As the leader: write the queue in one transaction, release its members, pass the lead."""
        with self._queue_lock:
            batch, self._queue = self._queue, []
        try:
            with self._write_lock:
                try:
                    records = self.store.append_many([item.fields for item in batch])
                except AuditStoreError as exc:
                    for item in batch:
                        item.error = exc
                else:
                    for item, stored in zip(batch, records, strict=True):
                        item.record = stored
        finally:
            for item in batch:
                if item.record is None and item.error is None:  # not written: never acknowledged
                    item.error = AuditStoreError("the audit write was interrupted",
                                                 hint="retry; the record was not stored")
                item.lead = False
                if item.done.locked():
                    item.done.release()
            with self._queue_lock:
                if self._queue:
                    following = self._queue[0]
                    following.lead = True
                    following.done.release()
                else:
                    self._leading = False

    def checkpoint(self, record: Record, notes: list[str] | None = None) -> None:
        """Sign "the log had ``record.seq`` records ending in ``record.hash``"; store and anchor it.

        Callers that share the recorder between threads hold the write lock (``record`` does)."""
        from blastshield.audit.anchor import write_anchor
        from blastshield.audit.checkpoint import sign_checkpoint
        from blastshield.audit.keys import signing_key

        notes = self.warnings if notes is None else notes
        key = self._signing
        if key is None:
            try:
                # A log that already holds checkpoints needs the key that signed them: never a new one.
                key = signing_key(create=not self.store.checkpoints())
            except AuditStoreError as exc:
                raise AuditStoreError(f"record {record.seq} is stored but not checkpointed: {exc.message}",
                                      hint=exc.hint) from exc
            self._signing = key
        checkpoint = sign_checkpoint(key, self.store.log_id(), record.seq, record.hash, record.time)
        self.store.add_checkpoint(checkpoint)
        try:
            write_anchor(self.store.location, checkpoint)
        except OSError as exc:
            notes.append(f"cannot write the checkpoint anchor ({exc.strerror})")
        if self.spool_dir:
            self._spool_checkpoint(checkpoint.as_json(), notes)

    def _spool(self, record: Record, notes: list[str]) -> None:
        from blastshield.audit.spool import spool_item

        try:
            spool_item(self.spool_dir or "", {"kind": "record", **record.as_json()})
        except OSError as exc:
            notes.append(f"OTLP spool {self.spool_dir}: {exc.strerror}; record {record.seq} is in the"
                                 " log but not queued for export (`blastshield log export --format otlp`)")

    def _spool_checkpoint(self, checkpoint: dict[str, Any], notes: list[str]) -> None:
        from blastshield.audit.spool import spool_item

        try:
            spool_item(self.spool_dir or "", {"kind": "checkpoint", **checkpoint})
        except OSError as exc:
            notes.append(f"OTLP spool {self.spool_dir}: {exc.strerror}")

    def flush(self, notes: list[str] | None = None) -> None:
        """Start the background OTLP sender if events are waiting (never blocks on the network)."""
        if self.spool_dir:
            from blastshield.audit.spool import kick_sender

            try:
                kick_sender(self.spool_dir)
            except OSError as exc:
                (self.warnings if notes is None else notes).append(
                    f"cannot start the OTLP sender ({exc.strerror})")

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.store.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def open_recorder(policy: Policy) -> Recorder:
    """The recorder ``policy.audit`` describes. Raises AuditStoreError if the store cannot be opened."""
    settings = policy.audit
    store = open_store(store_location(policy), synchronous=settings.synchronous)
    return Recorder(store, checkpoint_every=settings.checkpoint_every, record_prompts=settings.record_prompts,
                    spool_dir=spool_folder(policy) if settings.otlp else None)
