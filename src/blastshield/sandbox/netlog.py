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
from dataclasses import asdict, dataclass, field
from typing import Any

from blastshield.errors import BlastshieldError
from blastshield.policy.model import Policy


@dataclass(frozen=True, slots=True)
class ConnectionRecord:
    method: str  # CONNECT, GET, POST, ... or "?" for an unparseable request
    host: str
    port: int
    verdict: str  # the policy's verdict
    applied: str  # what the proxy did (allow / deny)
    rule: str
    reason: str
    address: str = ""  # the address connected to, if any
    bytes_up: int = 0
    bytes_down: int = 0
    duration_ms: float = 0.0
    error: str = ""
    status: int = 0  # the HTTP status the proxy answered (200 for a tunnel, 403 refused, ...)
    extra: dict[str, Any] = field(default_factory=dict)


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
                            "policy_hash": self.policy.digest, **asdict(record)}
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
