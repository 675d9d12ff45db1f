"""Read, merge and write a host's JSON settings file safely (idempotent, keeps other entries)."""

from __future__ import annotations

import json
import os
from typing import Any

from blastshield.errors import ConfigError

#: How a registered blastshield hook command reads: ``python -P …/blastshield/__main__.py hook HOST``
#: (what ``init`` writes) or ``python -m blastshield hook HOST`` (earlier versions, still ours).
MARKERS = ("blastshield hook ", "blastshield/__main__.py hook ", "blastshield\\__main__.py hook ")


def load_json(path: str) -> dict[str, Any]:
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}",
                          hint="fix the file, then run init again") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a JSON object", hint="fix the file")
    return data


def write_json(path: str, data: dict[str, Any]) -> None:
    """Atomic write: a temp file in the same folder, then rename."""
    import tempfile  # not on the hook path: tempfile pulls in shutil, random, bz2, lzma

    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".blastshield-", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def is_ours(handler: Any) -> bool:
    if not isinstance(handler, dict):
        return False
    command = str(handler.get("command", ""))
    return any(marker in command for marker in MARKERS)


def table(data: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = data.setdefault(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {key!r} must be an object", hint="fix the file")
    return value


def event_list(hooks: dict[str, Any], event: str, path: str) -> list[Any]:
    value = hooks.setdefault(event, [])
    if not isinstance(value, list):
        raise ConfigError(f"{path}: hooks.{event} must be a list", hint="fix the file")
    return value
