"""The flight recorder on its own thread, so the proxy's stream never waits on SQLite.

Events are written in the order they were submitted, by one thread that owns the
recorder. ``submit`` returns a future: the proxy awaits the decision record of a
``tools/call`` before it forwards the call (the log holds the decision before the server
acts), and lets result records complete in the background. After the first failure the
writer is ``broken``: the proxy then refuses every call (fail closed) and says why once.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from blastshield.audit.events import AuditEvent
from blastshield.errors import BlastshieldError
from blastshield.policy.model import Policy

_STOP = object()


class AuditWriter:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.broken = ""
        self._queue: queue.SimpleQueue[tuple[AuditEvent, Future[str]] | object] = queue.SimpleQueue()
        self._ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, name="blastshield-audit", daemon=True)
        self._thread.start()
        self._ready.result()  # raises if the store cannot be opened

    def _run(self) -> None:
        from blastshield.audit.recorder import open_recorder

        try:
            recorder = open_recorder(self.policy)
        except BlastshieldError as exc:
            self._ready.set_exception(exc)
            return
        self._ready.set_result(None)
        with recorder:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                assert isinstance(item, tuple)
                event, future = item
                try:
                    future.set_result(recorder.record(event))
                except Exception as exc:  # a broken log: fail closed from now on
                    self.broken = self.broken or (exc.diagnostics() if isinstance(exc, BlastshieldError)
                                                  else f"{type(exc).__name__}: {exc}")
                    future.set_exception(exc)

    def submit(self, event: AuditEvent) -> Future[str]:
        future: Future[str] = Future()
        if not self._thread.is_alive():
            future.set_exception(RuntimeError("the audit writer has stopped"))
            return future
        self._queue.put((event, future))
        return future

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)
