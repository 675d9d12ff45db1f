"""Tool definition pins: hash each tool's name + description + input schema on first sight.

A tool whose hash later differs from its pin has changed under the user (a "rug pull":
harmless description at approval time, hostile instructions later). The proxy refuses it
until a human runs ``blastshield mcp approve``. The store is ``mcp-pins.json`` beside the
policy, inside ``.blastshield/`` (a built-in protection: the agent cannot write it).

    {"version": 1, "servers": {"github": {"search": {
        "hash": "sha256:…", "first_seen": "…", "description": "…",
        "pending": {"hash": "sha256:…", "seen": "…", "description": "…"}}}}}

``pending`` exists only while a changed definition waits for approval. Writes are
read-modify-write under an exclusive lock and land with an atomic rename.
"""

from __future__ import annotations

import enum
import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from blastshield.errors import UsageError

STORE_NAME = "mcp-pins.json"
_DESCRIPTION_KEPT = 4000


class PinStatus(enum.StrEnum):
    NEW = "new"  # first sight: pinned now
    PINNED = "pinned"  # matches its pin
    CHANGED = "changed"  # differs from its pin: refused until approved


@dataclass(frozen=True, slots=True)
class PinEntry:
    server: str
    tool: str
    hash: str
    first_seen: str
    description: str
    pending_hash: str = ""
    pending_seen: str = ""
    pending_description: str = ""

    @property
    def status(self) -> PinStatus:
        return PinStatus.CHANGED if self.pending_hash else PinStatus.PINNED


def tool_hash(tool: Mapping[str, Any]) -> str:
    """sha256 over the canonical JSON of the tool's name, description and input schema."""
    subject = {"name": tool.get("name"), "description": tool.get("description"),
               "inputSchema": tool.get("inputSchema")}
    text = json.dumps(subject, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def store_path(policy_path: str) -> str:
    return os.path.join(os.path.dirname(os.path.realpath(policy_path)), STORE_NAME)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _description(tool: Mapping[str, Any]) -> str:
    value = tool.get("description")
    return value[:_DESCRIPTION_KEPT] if isinstance(value, str) else ""


class PinStore:
    """The pins of every server, cached by file modification time."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._cache: dict[str, Any] | None = None
        self._stamp: tuple[int, int] | None = None

    def _read(self) -> dict[str, Any]:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return {"version": 1, "servers": {}}
        except OSError as exc:
            raise UsageError(f"{self.path}: cannot read the MCP pin store ({exc.strerror})") from exc
        stamp = (info.st_mtime_ns, info.st_size)
        if self._cache is not None and stamp == self._stamp:
            return self._cache
        try:
            with open(self.path, "rb") as handle:
                data = json.loads(handle.read())
        except (OSError, ValueError) as exc:
            raise UsageError(f"{self.path}: the MCP pin store is not valid JSON ({exc})",
                             hint="restore it from a backup, or delete it to re-pin every tool on first sight"
                             ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("servers"), dict):
            raise UsageError(f"{self.path}: the MCP pin store has no \"servers\" object",
                             hint="delete it to re-pin every tool on first sight")
        self._cache, self._stamp = data, stamp
        return data

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """Read-modify-write under an exclusive lock; the yielded dict is written back."""
        folder = os.path.dirname(self.path) or "."
        try:
            os.makedirs(folder, exist_ok=True)
            lock = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise UsageError(f"{self.path}: cannot lock the MCP pin store ({exc.strerror})") from exc
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._cache = None
            data = self._read()
            before = json.dumps(data, sort_keys=True)
            yield data
            if json.dumps(data, sort_keys=True) != before:
                self._write(data, folder)
        finally:
            os.close(lock)

    def _write(self, data: dict[str, Any], folder: str) -> None:
        handle, temp = tempfile.mkstemp(prefix=".mcp-pins.", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, sort_keys=True, ensure_ascii=False)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, self.path)
        except OSError as exc:
            with suppress(OSError):
                os.unlink(temp)
            raise UsageError(f"{self.path}: cannot write the MCP pin store ({exc.strerror})") from exc
        self._cache = None

    def check(self, server: str, tool: str, digest: str) -> PinStatus:
        """Read-only: how ``digest`` compares with the pin (NEW when there is none)."""
        entry = self._read()["servers"].get(server, {}).get(tool)
        if not isinstance(entry, dict):
            return PinStatus.NEW
        return PinStatus.PINNED if entry.get("hash") == digest else PinStatus.CHANGED

    def observe(self, server: str, tools: Sequence[Mapping[str, Any]]) -> dict[str, PinStatus]:
        """Compare each tool with its pin; pin new ones; note changed ones as pending approval."""
        digests = {str(t.get("name")): (tool_hash(t), t) for t in tools}
        result: dict[str, PinStatus] = {}
        if all(self.check(server, name, digest) is PinStatus.PINNED for name, (digest, _) in digests.items()):
            return dict.fromkeys(digests, PinStatus.PINNED)
        with self._locked() as data:
            pins = data["servers"].setdefault(server, {})
            for name, (digest, tool) in digests.items():
                entry = pins.get(name)
                if not isinstance(entry, dict):
                    pins[name] = {"hash": digest, "first_seen": _now(), "description": _description(tool)}
                    result[name] = PinStatus.NEW
                elif entry.get("hash") == digest:
                    entry.pop("pending", None)
                    result[name] = PinStatus.PINNED
                else:
                    pending = entry.get("pending")
                    if not isinstance(pending, dict) or pending.get("hash") != digest:
                        entry["pending"] = {"hash": digest, "seen": _now(), "description": _description(tool)}
                    result[name] = PinStatus.CHANGED
        return result

    def entries(self) -> list[PinEntry]:
        out: list[PinEntry] = []
        for server, tools in sorted(self._read()["servers"].items()):
            if not isinstance(tools, dict):
                continue
            for name, entry in sorted(tools.items()):
                if isinstance(entry, dict):
                    out.append(_entry(server, name, entry))
        return out

    def approve(self, server: str | None = None, tool: str | None = None) -> list[PinEntry]:
        """Accept the pending definitions of ``server`` (``tool``), or all; returns what changed."""
        approved: list[PinEntry] = []
        with self._locked() as data:
            for name_of_server, tools in data["servers"].items():
                if (server is not None and name_of_server != server) or not isinstance(tools, dict):
                    continue
                for name, entry in tools.items():
                    if (tool is not None and name != tool) or not isinstance(entry, dict):
                        continue
                    pending = entry.get("pending")
                    if not isinstance(pending, dict):
                        continue
                    approved.append(_entry(name_of_server, name, entry))
                    entry.update(hash=pending.get("hash", ""), description=pending.get("description", ""),
                                 approved=_now())
                    entry.pop("pending")
        return approved


def _entry(server: str, name: str, entry: Mapping[str, Any]) -> PinEntry:
    pending = entry.get("pending") if isinstance(entry.get("pending"), dict) else {}
    assert isinstance(pending, dict)
    return PinEntry(server, name, str(entry.get("hash", "")), str(entry.get("first_seen", "")),
                    str(entry.get("description", "")), str(pending.get("hash", "")),
                    str(pending.get("seen", "")), str(pending.get("description", "")))
