"""Re-walk a log: every record's hash and link, every checkpoint's signature and head.

Returns plain data (:class:`VerifyReport`); the CLI renders it and exits 4 when it is
not ``ok``. What is detected: an edited record (its bytes no longer match its hash), a
deleted, inserted or reordered record (the ``prev`` links or the sequence break), an
edited filter column, truncation before the last signed checkpoint or the last anchor,
a forged or unknown-key checkpoint, and a log replaced by another one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from blastshield.audit.anchor import read_anchor
from blastshield.audit.chain import genesis
from blastshield.audit.checkpoint import signature_valid
from blastshield.audit.events import INDEXED_COLUMNS, Checkpoint

if TYPE_CHECKING:
    from blastshield.audit.store import AuditStore

MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    seq: int | None  # the first record concerned (None: the log as a whole)
    what: str


@dataclass
class VerifyReport:
    location: str
    log_id: str
    records: int = 0
    head: str = ""
    checkpoints: int = 0
    signed_by: list[str] = field(default_factory=list)
    last_checkpoint: int = 0
    anchored: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad(self) -> int | None:
        seqs = [p.seq for p in self.problems if p.seq is not None]
        return min(seqs) if seqs else None

    def add(self, seq: int | None, what: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(seq, what))

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok, "location": self.location, "log_id": self.log_id, "records": self.records,
            "head": self.head, "checkpoints": self.checkpoints, "last_checkpoint": self.last_checkpoint,
            "anchored": self.anchored, "signed_by": self.signed_by, "first_bad": self.first_bad,
            "problems": [{"seq": p.seq, "what": p.what} for p in self.problems],
            "warnings": self.warnings,
        }


def verify_store(store: AuditStore, trusted: dict[str, bytes]) -> VerifyReport:
    """Walk ``store``; ``trusted`` maps key id → Ed25519 public key."""
    log_id = store.log_id()
    report = VerifyReport(store.location, log_id)
    checkpoints = store.checkpoints()
    anchor = read_anchor(store.location)
    wanted = {cp.count for cp in checkpoints}
    if anchor is not None:
        wanted.add(anchor.count)
    hashes_at: dict[int, str] = {}
    _walk(store, report, log_id, wanted, hashes_at)
    for checkpoint in checkpoints:
        _check_checkpoint(report, checkpoint, log_id, trusted, hashes_at, "checkpoint")
    report.checkpoints = len(checkpoints)
    report.last_checkpoint = max((cp.count for cp in checkpoints), default=0)
    report.signed_by = sorted({cp.key_id for cp in checkpoints})
    if anchor is not None:
        if anchor.log_id != log_id:
            report.add(None, f"the log was replaced: the anchor outside the workspace names log"
                             f" {anchor.log_id} with {anchor.count} records, this file holds log {log_id}")
        else:
            _check_checkpoint(report, anchor, log_id, trusted, hashes_at, "anchor")
            report.anchored = anchor.count
    protected = max(report.last_checkpoint, report.anchored)
    if report.records > protected:
        report.warnings.append(
            f"{report.records - protected} record(s) after the last signed checkpoint are protected by the"
            " hash chain only: deleting them from the end cannot be detected here")
    return report


def _walk(store: AuditStore, report: VerifyReport, log_id: str, wanted: set[int],
          hashes_at: dict[int, str]) -> None:
    prev = genesis(log_id)
    expected = 1
    for row in store.rows():
        report.records += 1
        if row.seq != expected:
            if row.seq > expected:
                missing = f"{expected}" if row.seq == expected + 1 else f"{expected}-{row.seq - 1}"
                report.add(expected, f"record {missing} missing (deleted)")
            else:
                report.add(row.seq, f"record {row.seq} out of order")
        if hashlib.sha256(row.body.encode("utf-8")).hexdigest() != row.hash:
            report.add(row.seq, f"record {row.seq} was edited: its content does not match its hash")
        try:
            body = json.loads(row.body)
        except ValueError:
            report.add(row.seq, f"record {row.seq} is not valid JSON")
            body = {}
        if not isinstance(body, dict):
            body = {}
        if body.get("seq") != row.seq:
            report.add(row.seq, f"record {row.seq} carries seq {body.get('seq')!r} (moved or renumbered)")
        if body.get("log_id") != log_id:
            report.add(row.seq, f"record {row.seq} belongs to another log ({body.get('log_id')!r})")
        if body.get("prev") != prev and row.seq == expected:
            report.add(row.seq, f"record {row.seq} does not follow record {row.seq - 1}"
                                " (a record was inserted, deleted or reordered)")
        edited = [c for c in INDEXED_COLUMNS if row.columns.get(c, "") != str(body.get(c, ""))]
        if edited:
            report.add(row.seq, f"record {row.seq}: column(s) {', '.join(edited)} differ from the hashed"
                                " record (edited to mislead filters)")
        if row.seq in wanted:
            hashes_at[row.seq] = row.hash
        prev = row.hash
        expected = row.seq + 1
        report.head = row.hash


def _check_checkpoint(report: VerifyReport, checkpoint: Checkpoint, log_id: str,
                      trusted: dict[str, bytes], hashes_at: dict[int, str], label: str) -> None:
    count = checkpoint.count
    public = trusted.get(checkpoint.key_id)
    if checkpoint.log_id != log_id:
        report.add(count, f"{label} at record {count} belongs to another log ({checkpoint.log_id})")
    elif public is None:
        report.add(count, f"{label} at record {count} is signed by unknown key {checkpoint.key_id}"
                          " (pass --public-key FILE with that key's .pub)")
    elif not signature_valid(checkpoint, public):
        report.add(count, f"{label} at record {count}: signature does not verify (forged or edited)")
    if count > report.records:
        first = report.records + 1
        report.add(first, f"log truncated: a signed {label} vouches for {count} records, only"
                          f" {report.records} remain (record {first} onwards deleted)")
    elif hashes_at.get(count) != checkpoint.head:
        report.add(count, f"record {count} does not match the signed {label}'s head hash (history rewritten)")
