"""Anchors: a copy of the newest signed checkpoint, kept outside the workspace.

``~/.config/blastshield/anchors/<location id>.json`` (the agent can neither read nor
write there). ``log verify`` checks the log against it, so truncating the log's own
checkpoint table, or deleting or replacing the whole file, is still detected on this
machine. Exporting checkpoints off the machine (OTLP) is the stronger anchor.
"""

from __future__ import annotations

import fcntl
import json
import os

from blastshield.audit.events import Checkpoint
from blastshield.audit.keys import key_dir
from blastshield.audit.store import location_id


def anchor_path(location: str) -> str:
    return os.path.join(os.path.dirname(key_dir()), "anchors", f"{location_id(location)}.json")


def read_anchor(location: str) -> Checkpoint | None:
    try:
        with open(anchor_path(location), encoding="utf-8") as handle:
            data = json.load(handle)
        return Checkpoint(str(data["log_id"]), int(data["count"]), str(data["head"]), str(data["time"]),
                          str(data["key_id"]), str(data["signature"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # An unreadable anchor vouches for nothing; verify reports the log on its own.
        return None


def write_anchor(location: str, checkpoint: Checkpoint) -> None:
    """Keep ``checkpoint`` as the anchor unless a newer one is already there."""
    path = anchor_path(location)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        current = read_anchor(location)
        if current is not None and current.log_id == checkpoint.log_id and current.count >= checkpoint.count:
            return
        temp = f"{path}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump({**checkpoint.as_json(), "location": location}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
