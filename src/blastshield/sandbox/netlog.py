"""Connection records from the egress proxy → the flight recorder.

The proxy hands every connection, allowed or refused, to one :class:`ConnectionLog`.
It writes an ``AuditEvent(event="net.connect", host="sandbox", ...)`` through the audit
package's recorder; when that package is not installed in this build it appends JSON
lines to ``sandbox-net.jsonl`` next to the policy instead (same fields), so nothing is
lost. Writes are serialised with a lock (the proxy is threaded).
"""

from __future__ import annotations

import os
import sys
import threading
import time

from blastshield.errors import BlastshieldError
from blastshield.values import FrozenValue

TYPE_CHECKING = False  # typing only for mypy (the proxy's thread imports this module at start-up)
if TYPE_CHECKING:
    from typing import Any

    from blastshield.policy.model import Policy


class ConnectionRecord(FrozenValue):
    __slots__ = ("address", "applied", "bytes_down", "bytes_up", "duration_ms", "error", "extra", "host",
                 "method", "port", "reason", "rule", "status", "verdict")
    method: str  # CONNECT, GET, POST, ... or "?" for an unparseable request
    host: str
    port: int
    verdict: str  # the policy's verdict
    applied: str  # what the proxy did (allow / deny)
    rule: str
    reason: str
    address: str  # the address connected to, if any
    bytes_up: int
    bytes_down: int
    duration_ms: float
    error: str
    status: int  # the HTTP status the proxy answered (200 for a tunnel, 403 refused, ...)
    extra: dict[str, Any]

    def __init__(self, method: str, host: str, port: int, verdict: str, applied: str, rule: str,
                 reason: str, address: str = "", bytes_up: int = 0, bytes_down: int = 0,
                 duration_ms: float = 0.0, error: str = "", status: int = 0,
                 extra: dict[str, Any] | None = None) -> None:
        for name, value in (("method", method), ("host", host), ("port", port), ("verdict", verdict),
                            ("applied", applied), ("rule", rule), ("reason", reason),
                            ("address", address), ("bytes_up", bytes_up), ("bytes_down", bytes_down),
                            ("duration_ms", duration_ms), ("error", error), ("status", status),
                            ("extra", {} if extra is None else extra)):
            object.__setattr__(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        """Every field by name (``extra`` copied), as ``dataclasses.asdict`` gave."""
        out = {name: getattr(self, name) for name in self.__slots__}
        out["extra"] = dict(self.extra)
        return out


class ConnectionLog:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.lock = threading.Lock()
        self.failures = 0
        self._recorder: Any = None
        self._fallback: str | None = None
        self._opened = False

    def _open(self) -> None:
        """Open the recorder on the first connection (a run without network pays nothing)."""
        self._opened = True
        try:
            from blastshield.audit.recorder import open_recorder
        except ImportError:
            self._fallback = os.path.join(os.path.dirname(self.policy.path), "sandbox-net.jsonl")
        else:
            self._recorder = open_recorder(self.policy)

    @property
    def destination(self) -> str:
        return self._fallback or "the audit log"

    def record(self, record: ConnectionRecord) -> None:
        with self.lock:
            try:
                if not self._opened:
                    self._open()
                if self._recorder is not None:
                    self._recorder.record(self._event(record))
                elif self._fallback is not None:
                    import json  # only the fallback file needs it (the proxy imports this module early)

                    line = {"time": time.time(), "event": "net.connect", "host": "sandbox",
                            "policy_hash": self.policy.digest, **record.as_dict()}
                    with open(self._fallback, "a", encoding="utf-8") as handle:
                        handle.write(json.dumps(line, sort_keys=True) + "\n")
            except (OSError, BlastshieldError) as exc:
                self.failures += 1
                print(f"blastshield: could not record a sandbox connection: {exc}", file=sys.stderr)

    def _event(self, record: ConnectionRecord) -> Any:
        from blastshield.audit.events import AuditEvent

        target = f"{record.host}:{record.port}"
        return AuditEvent(
            event="net.connect", host="sandbox", tool="egress-proxy",
            action=f"{record.method} {target}",
            effects=({"kind": "net", "target": target, "decision": record.verdict,
                      "rule": record.rule, "reason": record.reason},),
            decision=record.verdict, applied=record.applied, rule=record.rule, reason=record.reason,
            policy_hash=self.policy.digest, mode=str(self.policy.mode),
            latency_ms=None,
            outcome={"bytes_up": record.bytes_up, "bytes_down": record.bytes_down,
                     "duration_ms": round(record.duration_ms, 3), "address": record.address,
                     "status": record.status, "error": record.error,
                     "success": record.applied == "allow" and not record.error},
        )

    def close(self) -> None:
        with self.lock:
            if self._recorder is not None:
                self._recorder.close()
                self._recorder = None
