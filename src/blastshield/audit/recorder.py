"""The flight recorder: redact → canonicalise → chain → store (one transaction) → sinks.

The in-process hook opens one recorder per process (``open_recorder(policy)``) and calls
:meth:`Recorder.record` once or twice; the hook server keeps one open per log
(``audit.shared``). ``record`` returns only after the record is durable in the store;
any failure raises :class:`AuditStoreError` with one line, and the hook then denies in
enforce mode.

Group commit (``audit.group_commit``): threads that call ``record`` on one recorder at the same
time share a transaction and its one sync; each returns only once its own record is durable.
A checkpoint that falls due is signed inside the transaction that writes its record, so it
costs no sync of its own; its anchor file is written once the batch's writers are released.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING, Any

from blastshield.audit.events import AuditEvent, Record
from blastshield.audit.group_commit import GroupCommit, Pending
from blastshield.audit.redact import redact_json
from blastshield.audit.screen import screen_fields
from blastshield.audit.store import is_postgres, open_store
from blastshield.errors import AuditStoreError
from blastshield.paths import expand
from blastshield.policy.model import Policy

if TYPE_CHECKING:
    from collections.abc import Callable

    from blastshield.audit.events import Checkpoint
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
        self._group = GroupCommit(self._write_batch)

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
        cleaned, may_hold = screen_fields(fields, _VERBATIM)
        if may_hold:  # redaction keeps the copy JSON-safe and canonical: it rewrites strings only
            for name in cleaned:
                if name not in _VERBATIM:
                    cleaned[name] = redact_json(cleaned[name], self.key)
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
        self._group.arrive()
        try:
            fields = self.prepare(event)
        except BaseException:
            self._group.leave()
            raise
        return self._group.submit(Pending(fields, notes, closes=event.event in CHECKPOINT_EVENTS)).hash

    def _write_batch(self, batch: list[Pending]) -> Callable[[], None] | None:
        """Chain and store ``batch`` in one transaction, with the checkpoint that falls due in it
        (signing the batch's last record), and queue its records for export; returns the
        anchor's writing, for after the release (so a checkpoint always follows its records)."""
        due: list[tuple[Pending, Record]] = []
        signed: list[Checkpoint] = []
        failed: list[AuditStoreError] = []

        def seal(records: list[Record]) -> list[Checkpoint]:
            due.extend((item, stored) for item, stored in zip(batch, records, strict=True)
                       if item.closes or stored.seq % self.checkpoint_every == 0)
            if not due:
                return []
            try:
                key = self._signing_key()
            except AuditStoreError as exc:  # the records are kept; their writers are told
                failed.append(exc)
                return []
            from blastshield.audit.checkpoint import sign_checkpoint

            last = records[-1]
            signed.append(sign_checkpoint(key, self.store.log_id(), last.seq, last.hash, last.time))
            return signed

        try:  # only the group's leader gets here: one writer at a time
            records = self.store.append_many([item.fields for item in batch], seal)
        except AuditStoreError as exc:
            for item in batch:
                item.error = exc
            return None
        for item, stored in zip(batch, records, strict=True):
            item.record = stored
        if self.spool_dir:
            self._spool([{"kind": "record", **stored.as_json()} for stored in records],
                        [item.notes for item in batch])
        for item, stored in due:
            if failed:
                item.error = AuditStoreError(
                    f"record {stored.seq} is stored but not checkpointed: {failed[0].message}",
                    hint=failed[0].hint)
        if not signed:
            return None
        checkpoint, notes = signed[0], due[-1][0].notes
        return lambda: self._anchor(checkpoint, notes)

    def _signing_key(self) -> SigningKey:
        """The checkpoint signing key, loaded once. Called inside the append transaction."""
        if self._signing is None:
            from blastshield.audit.keys import signing_key

            # A log that already holds checkpoints needs the key that signed them: never a new one.
            self._signing = signing_key(create=not self.store.checkpoints())
        return self._signing

    def _anchor(self, checkpoint: Checkpoint, notes: list[str]) -> None:
        """Keep the stored checkpoint outside the workspace too, and queue it for export."""
        from blastshield.audit.anchor import write_anchor

        try:
            write_anchor(self.store.location, checkpoint)
        except OSError as exc:
            notes.append(f"cannot write the checkpoint anchor ({exc.strerror})")
        if self.spool_dir:
            self._spool([{"kind": "checkpoint", **checkpoint.as_json()}], [notes])

    def _spool(self, items: list[dict[str, Any]], told: list[list[str]]) -> None:
        """Queue ``items`` for the OTLP sender; a failure is a note for each writer's list ``told``."""
        from blastshield.audit.spool import spool_items

        try:
            spool_items(self.spool_dir or "", items)
        except OSError as exc:
            first = f"{items[0]['kind']} {items[0].get('seq', items[0].get('count'))}"
            for notes in told:
                notes.append(f"OTLP spool {self.spool_dir}: {exc.strerror}; {first} and after are in the log"
                             " but not queued for export (`blastshield log export --format otlp`)")

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
