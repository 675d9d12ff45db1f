"""The OTLP spool: the hook appends, a detached sender delivers, nothing is dropped silently.

Layout of a spool folder:

- ``pending.jsonl``: items appended by hook processes (under ``spool.lock``);
- ``batch-<ns>.jsonl``: items a sender has claimed (renamed from pending), deleted only
  after the collector accepted them;
- ``rejected-<ns>.jsonl``: a batch the collector refused permanently (HTTP 4xx), kept;
- ``status.json``: the last delivery attempt (``ok``, ``error``, ``time``, ``sent``);
- ``sender.lock``: held by the running sender, so at most one runs per folder.

The recorder calls :func:`spool_items` once per written batch (a few microseconds) and
:func:`kick_sender`, which starts ``python -m blastshield.audit.spool DIR`` detached when no
sender holds the lock. The sender retries with back-off, then leaves the batch for the next kick.
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import subprocess
import sys
import time
from typing import Any

PENDING = "pending.jsonl"
RETRIES = (0.2, 0.5, 1.0, 2.0)
BATCH_ITEMS = 512


def spool_items(folder: str, items: list[dict[str, Any]]) -> None:
    """Append items, in order (raises OSError when the folder cannot be written)."""
    os.makedirs(folder, exist_ok=True)
    lines = "".join(json.dumps(item, separators=(",", ":"), ensure_ascii=False) + "\n" for item in items)
    with open(os.path.join(folder, "spool.lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        with open(os.path.join(folder, PENDING), "a", encoding="utf-8") as handle:
            handle.write(lines)


def waiting(folder: str) -> int:
    """How many items wait in the folder (pending + claimed batches, not rejected ones)."""
    total = 0
    for path in [os.path.join(folder, PENDING), *glob.glob(os.path.join(folder, "batch-*.jsonl"))]:
        try:
            with open(path, "rb") as handle:
                total += sum(1 for line in handle if line.strip())
        except OSError:
            continue
    return total


def status(folder: str) -> dict[str, Any]:
    """The last delivery status plus the waiting and rejected counts."""
    try:
        with open(os.path.join(folder, "status.json"), encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
    except (OSError, ValueError):
        data = {}
    data["waiting"] = waiting(folder)
    data["rejected_batches"] = len(glob.glob(os.path.join(folder, "rejected-*.jsonl")))
    return data


def kick_sender(folder: str) -> bool:
    """Start a detached sender if items wait and none is running. True if one was started."""
    pending = os.path.join(folder, PENDING)
    has_work = (os.path.exists(pending) and os.path.getsize(pending) > 0) or \
        bool(glob.glob(os.path.join(folder, "batch-*.jsonl")))
    if not has_work:
        return False
    with open(os.path.join(folder, "sender.lock"), "a") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a running sender re-reads pending before it exits
    subprocess.Popen(
        [sys.executable, "-m", "blastshield.audit.spool", folder],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True,
    )
    return True


def _claim(folder: str) -> None:
    """Move pending items into a batch file the sender owns."""
    pending = os.path.join(folder, PENDING)
    with open(os.path.join(folder, "spool.lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if os.path.exists(pending) and os.path.getsize(pending) > 0:
            os.replace(pending, os.path.join(folder, f"batch-{time.time_ns():020d}.jsonl"))


def _write_status(folder: str, **values: Any) -> None:
    temp = os.path.join(folder, f"status.{os.getpid()}.tmp")
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **values}, handle)
    os.replace(temp, os.path.join(folder, "status.json"))


def _read_batch(path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                value = json.loads(line)
            except ValueError:
                continue  # a torn last line from a crash; the record itself is in the store
            if isinstance(value, dict):
                items.append(value)
    return items


def retry_delays() -> tuple[float, ...]:
    """Back-off between attempts: ``BLASTSHIELD_OTLP_RETRY_DELAYS`` ("0.2,0.5,1,2") or the default."""
    text = os.environ.get("BLASTSHIELD_OTLP_RETRY_DELAYS", "")
    try:
        return tuple(float(x) for x in text.split(",") if x.strip()) if text else RETRIES
    except ValueError:
        return RETRIES


def deliver(folder: str, retries: tuple[float, ...] | None = None) -> bool:
    """Send everything waiting in ``folder``. True when nothing is left waiting."""
    from blastshield.audit.otlp import SendError, config_from_env, send
    from blastshield.errors import AuditStoreError

    try:
        config = config_from_env()
    except AuditStoreError as exc:
        _write_status(folder, ok=False, error=exc.diagnostics())
        return False
    sent = 0
    while True:
        _claim(folder)
        batches = sorted(glob.glob(os.path.join(folder, "batch-*.jsonl")))
        if not batches:
            _write_status(folder, ok=True, error="", sent=sent)
            return True
        for path in batches:
            items = _read_batch(path)
            for start in range(0, max(1, len(items)), BATCH_ITEMS):
                chunk = items[start:start + BATCH_ITEMS]
                if not chunk:
                    continue
                error = _send_with_retries(chunk, config, retry_delays() if retries is None else retries,
                                           send, SendError)
                if error is not None and error.permanent:
                    os.replace(path, path.replace("batch-", "rejected-"))
                    _write_status(folder, ok=False, error=str(error), sent=sent)
                    break
                if error is not None:
                    # Keep the rest of this batch for the next sender: rewrite it without what was sent.
                    _rewrite(path, items[start:])
                    _write_status(folder, ok=False, error=str(error), sent=sent)
                    return False
                sent += len(chunk)
            else:
                os.unlink(path)


def _send_with_retries(chunk: list[dict[str, Any]], config: Any, retries: tuple[float, ...],
                       send: Any, error_type: type[Exception]) -> Any:
    last: Any = None
    for delay in (0.0, *retries):
        if delay:
            time.sleep(delay)
        try:
            send(chunk, config)
            return None
        except error_type as exc:
            last = exc
            if getattr(exc, "permanent", False):
                return exc
    return last


def _rewrite(path: str, items: list[dict[str, Any]]) -> None:
    temp = path + ".tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, separators=(",", ":"), ensure_ascii=False) + "\n")
    os.replace(temp, path)


def run_sender(folder: str) -> int:
    """The detached sender's body: hold the lock, deliver, re-check once after letting go."""
    for _ in range(3):
        with open(os.path.join(folder, "sender.lock"), "a") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0
            if not deliver(folder):
                return 1
        if not os.path.exists(os.path.join(folder, PENDING)) or \
                os.path.getsize(os.path.join(folder, PENDING)) == 0:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(run_sender(sys.argv[1]) if len(sys.argv) == 2 else 2)
