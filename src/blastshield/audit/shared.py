"""Recorders kept open by a long-lived process (the hook server), one per audit log.

A hook process opens the log, appends and closes it; the hook server answers hook after hook,
so it keeps each log's recorder (and its connection) open: a record then costs its own
transaction only, and requests that arrive together share one commit (the recorder's group
commit). The cached recorder is reused only while the log file is the one it opened (same
device and inode); a log that was moved, deleted or replaced is opened afresh, and a
recorder whose append failed is dropped so the next request reopens the log. Nothing is
cached unless the process calls :func:`keep_recorders_open`.
"""

from __future__ import annotations

import _thread
import contextlib
import os
from typing import TYPE_CHECKING

from blastshield.audit.recorder import Recorder, open_recorder, spool_folder, store_location
from blastshield.audit.store import is_postgres

if TYPE_CHECKING:
    from blastshield.policy.model import Policy

    Key = tuple[str, str, int, bool, str]

_lock = _thread.allocate_lock()
_open: dict[Key, tuple[Recorder, tuple[int, int] | None]] = {}
_enabled = [False]


def keep_recorders_open() -> None:
    """From now on :func:`shared_recorder` caches recorders in this process."""
    _enabled[0] = True


def _key(policy: Policy) -> Key:
    settings = policy.audit
    return (store_location(policy), settings.synchronous, settings.checkpoint_every, settings.record_prompts,
            spool_folder(policy) if settings.otlp else "")


def _identity(location: str) -> tuple[int, int] | None:
    """(device, inode) of an SQLite log; None for PostgreSQL or a missing file."""
    if is_postgres(location):
        return None
    try:
        info = os.stat(location)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def shared_recorder(policy: Policy) -> Recorder | None:
    """The open recorder for ``policy``'s log, or None when this process does not keep them.

    Raises AuditStoreError when the log cannot be opened."""
    if not _enabled[0]:
        return None
    key = _key(policy)
    identity = _identity(key[0])
    with _lock:
        cached = _open.get(key)
        if cached is not None and (cached[1] == identity or is_postgres(key[0])):
            return cached[0]
        # A replaced or missing file: open afresh. The old recorder is not closed here (another
        # thread may be writing through it); it closes when its last user lets go of it.
        recorder = open_recorder(policy)
        _open[key] = (recorder, _identity(key[0]))
        return recorder


def forget(policy: Policy, recorder: Recorder) -> None:
    """Drop ``recorder`` (after a failed append): the next request opens the log again."""
    key = _key(policy)
    with _lock:
        cached = _open.get(key)
        if cached is not None and cached[0] is recorder:
            del _open[key]


def close_all() -> None:
    """Close every cached recorder (the server is exiting; no request is in flight)."""
    with _lock:
        cached = [recorder for recorder, _ in _open.values()]
        _open.clear()
    for recorder in cached:
        with contextlib.suppress(Exception):  # exiting: a sink problem has nowhere to go
            recorder.close()
