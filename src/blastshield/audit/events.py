"""Plain data for the flight recorder: an event before it is written, a record after."""

from __future__ import annotations

import math
import time
from typing import Any

from blastshield.values import FrozenValue

RECORD_VERSION = 1

#: Columns each store keeps beside the body, for filtering (verify checks they match it).
INDEXED_COLUMNS = ("time", "event", "host", "session_id", "tool_use_id", "tool", "decision", "applied",
                   "rule")


_second: tuple[int, str] = (-1, "")  # the last second formatted, and its text (strftime is slow)


def utc_now() -> str:
    """Record time: ISO 8601 UTC with microseconds and a ``Z`` (no datetime import: hook path)."""
    global _second
    seconds, rest = divmod(time.time_ns(), 1_000_000_000)
    known, text = _second  # one tuple: threads never see a second with another's text
    if known != seconds:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _second = (seconds, text)
    return f"{text}.{rest // 1000:06d}Z"

#: Events whose outcome belongs to an earlier PreToolUse record with the same tool_use_id.
OUTCOME_EVENTS = frozenset({"PostToolUse", "PostToolUseFailure"})


_set = object.__setattr__


class AuditEvent(FrozenValue):
    """One thing that happened, as a host adapter, the sandbox, the scanner or the MCP proxy saw it.

    ``action`` and every string in ``effects``, ``reason``, ``rule``, ``outcome`` and
    ``extra`` are redacted before anything is written. For ``UserPromptSubmit`` put the
    prompt text in ``extra["prompt"]``: the recorder keeps only its length and a keyed
    hash unless the policy sets ``[audit] record_prompts = true``.
    """

    __slots__ = (
        "action",
        "applied",
        "decision",
        "effects",
        "event",
        "extra",
        "host",
        "latency_ms",
        "mode",
        "outcome",
        "policy_hash",
        "prompt_id",
        "reason",
        "rule",
        "session_id",
        "tool",
        "tool_use_id",
    )
    event: str
    host: str
    session_id: str
    prompt_id: str
    tool_use_id: str
    tool: str
    action: str
    effects: tuple[dict[str, str], ...]
    decision: str
    applied: str
    rule: str
    reason: str
    policy_hash: str
    mode: str
    latency_ms: float | None
    outcome: dict[str, object]
    extra: dict[str, object]

    def __init__(self, event: str, host: str, session_id: str = "", prompt_id: str = "",
                 tool_use_id: str = "", tool: str = "", action: str = "",
                 effects: tuple[dict[str, str], ...] = (), decision: str = "", applied: str = "",
                 rule: str = "", reason: str = "", policy_hash: str = "", mode: str = "",
                 latency_ms: float | None = None, outcome: dict[str, object] | None = None,
                 extra: dict[str, object] | None = None) -> None:
        for name, value in (("event", event), ("host", host), ("session_id", session_id),
                            ("prompt_id", prompt_id), ("tool_use_id", tool_use_id), ("tool", tool),
                            ("action", action), ("effects", effects), ("decision", decision),
                            ("applied", applied), ("rule", rule), ("reason", reason),
                            ("policy_hash", policy_hash), ("mode", mode), ("latency_ms", latency_ms),
                            ("outcome", {} if outcome is None else outcome),
                            ("extra", {} if extra is None else extra)):
            _set(self, name, value)

    def fields_for_record(self) -> dict[str, Any]:
        """The event as JSON-ready fields (before redaction), in record key names."""
        latency = self.latency_ms
        if latency is not None and not math.isfinite(latency):
            latency = None
        return {
            "event": self.event,
            "host": self.host,
            "session_id": self.session_id,
            "prompt_id": self.prompt_id,
            "tool_use_id": self.tool_use_id,
            "tool": self.tool,
            "action": self.action,
            "effects": [dict(item) for item in self.effects],
            "decision": self.decision,
            "applied": self.applied,
            "rule": self.rule,
            "reason": self.reason,
            "policy_hash": self.policy_hash,
            "mode": self.mode,
            "latency_ms": None if latency is None else round(latency, 3),
            "outcome": dict(self.outcome),
            "extra": dict(self.extra),
        }


class Record(FrozenValue):
    """One stored, chained record. ``body`` is exactly what was hashed (minus ``hash``)."""

    __slots__ = ("body", "hash", "prev", "seq", "time")
    seq: int
    time: str
    prev: str
    hash: str
    body: dict[str, Any]

    def __init__(self, seq: int, time: str, prev: str, hash: str, body: dict[str, Any]) -> None:
        _set(self, "seq", seq)
        _set(self, "time", time)
        _set(self, "prev", prev)
        _set(self, "hash", hash)
        _set(self, "body", body)

    def get(self, key: str) -> Any:
        return self.body.get(key)

    @property
    def event(self) -> str:
        return str(self.body.get("event", ""))

    def as_json(self) -> dict[str, Any]:
        """The record as one JSON object: the hashed body plus its hash."""
        return {**self.body, "hash": self.hash}


class Checkpoint(FrozenValue):
    """A signed statement: "the log ``log_id`` had ``count`` records ending in ``head``"."""

    __slots__ = ("count", "head", "key_id", "log_id", "signature", "time")
    log_id: str
    count: int
    head: str
    time: str
    key_id: str
    signature: str  # hex Ed25519 signature over checkpoint.signed_bytes()

    def __init__(self, log_id: str, count: int, head: str, time: str, key_id: str, signature: str) -> None:
        _set(self, "log_id", log_id)
        _set(self, "count", count)
        _set(self, "head", head)
        _set(self, "time", time)
        _set(self, "key_id", key_id)
        _set(self, "signature", signature)

    def statement(self) -> dict[str, Any]:
        """What the signature covers."""
        return {"v": RECORD_VERSION, "type": "blastshield.checkpoint", "log_id": self.log_id,
                "count": self.count, "head": self.head, "time": self.time, "key_id": self.key_id}

    def as_json(self) -> dict[str, Any]:
        return {**self.statement(), "signature": self.signature}
