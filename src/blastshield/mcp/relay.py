"""The message flow both transports share: client request → (forward | answer), server reply → client.

A transport hands each decoded client message to :meth:`Relay.from_client` and gets back
what to do with it; it hands each server response (with the :class:`Pending` record of
its request) to :meth:`Relay.from_server` and forwards what comes back. Anything the
policy does not speak to — other methods, notifications, server-to-client requests and
their answers — passes through unchanged.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from blastshield.mcp import jsonrpc
from blastshield.mcp.gate import RESOURCE_METHODS, CallVerdict, Gate
from blastshield.mcp.jsonrpc import Message, Shape
from blastshield.mcp.revision import Revision, detect, envelope

#: Fetches the server's whole tool list (proxy-owned requests); ``meta`` is the stateless
#: envelope to stamp on them, or None in a session. Returns None when it cannot.
FetchTools = Callable[[dict[str, Any] | None], Awaitable[list[dict[str, Any]] | None]]
MAX_PAGES = 50


@dataclass
class Pending:
    """A client request on its way to the server, remembered until its response returns."""

    method: str
    revision: Revision
    started: float
    verdict: CallVerdict | None = None
    logged: concurrent.futures.Future[str] | None = None  # the call's decision record


@dataclass(frozen=True, slots=True)
class Forward:
    body: Any
    pending: Pending | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """Reply to the client directly (the server never sees the request). None = drop silently."""

    body: dict[str, Any] | None


Step = Forward | Answer


class Relay:
    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.session: Revision | None = None  # negotiated by initialize (session revisions)

    async def from_client(self, message: Message, fetch: FetchTools, header_version: str = "") -> Step:
        if message.shape is Shape.INVALID:
            request_id = message.id if message.body is not None else None
            text = f"blastshield: {message.problem}"
            return Answer(jsonrpc.error(request_id, jsonrpc.INVALID_REQUEST, text))
        method = message.method
        if message.shape is Shape.NOTIFICATION and method == "tools/call":
            self.gate.warn("dropped a tools/call sent as a notification (it has no id to answer)")
            return Answer(None)
        if message.shape is not Shape.REQUEST:
            return Forward(message.body)
        revision = detect(method, message.params, self.session, header_version)
        pending = Pending(method, revision, time.perf_counter())
        if method == "tools/call":
            return await self._call(message, pending, fetch)
        if method in RESOURCE_METHODS:
            return self._resource(message, pending)
        return Forward(message.body, pending)

    def _resource(self, message: Message, pending: Pending) -> Step:
        verdict, event = self.gate.judge_resource(pending.method, message.params, pending.revision,
                                                  message.id)
        future = self.gate.audit.submit(event)
        if not verdict.allowed:
            assert verdict.error is not None
            return Answer({"jsonrpc": "2.0", "id": message.id, "error": verdict.error})
        pending.verdict = verdict  # the result is held back until the decision is durable (settle)
        pending.logged = future
        pending.started = time.perf_counter()
        return Forward(message.body, pending)

    async def _call(self, message: Message, pending: Pending, fetch: FetchTools) -> Step:
        params = message.params
        name = params.get("name")
        if isinstance(name, str) and name not in self.gate.tools:
            tools = await fetch(envelope(params))
            if tools is not None:
                self.gate.filter_tools({"tools": tools}, pending.revision)
        verdict, event = self.gate.judge_call(params, pending.revision, message.id)
        future = self.gate.audit.submit(event)
        if not verdict.allowed:
            assert verdict.error is not None
            return Answer({"jsonrpc": "2.0", "id": message.id, "error": verdict.error})
        # The record is written while the server works; settle() holds the result back until it is
        # durable, so no result reaches the client unless its decision is in the log.
        pending.verdict = verdict
        pending.logged = future
        pending.started = time.perf_counter()
        return Forward(message.body, pending)

    async def settle(self, body: dict[str, Any], pending: Pending) -> dict[str, Any]:
        """:meth:`from_server` once the call's decision record is durable (an error if it cannot be)."""
        if pending.logged is not None:
            try:
                await asyncio.wrap_future(pending.logged)
            except Exception:
                reason = self.gate.audit.broken or "the audit log cannot be written"
                self.gate.warn(f"audit log failure: {reason}; refusing calls from now on", key="audit")
                text = f"blastshield withheld the result: the call could not be recorded ({reason})"
                return jsonrpc.error(body.get("id"), jsonrpc.POLICY_DENIED, text)
        return self.from_server(body, pending)

    def from_server(self, body: dict[str, Any], pending: Pending) -> dict[str, Any]:
        """The server's response to ``pending``, as the client should see it."""
        result = body.get("result")
        if pending.method == "initialize" and isinstance(result, dict):
            version = result.get("protocolVersion")
            if isinstance(version, str):
                self.session = Revision("session", version)
        elif pending.method == "tools/list" and isinstance(result, dict):
            return {**body, "result": self.gate.filter_tools(result, pending.revision)}
        elif (pending.method == "tools/call" or pending.method in RESOURCE_METHODS) \
                and pending.verdict is not None:
            latency = (time.perf_counter() - pending.started) * 1000
            self.gate.record(self.gate.outcome_event(pending.verdict, body, latency))
        return body


async def fetch_all_tools(send: Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]],
                          meta: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """Walk tools/list pages with ``send`` (one proxy-owned request → its response)."""
    tools: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        params: dict[str, Any] = {}
        if meta is not None:
            params["_meta"] = dict(meta)
        if cursor is not None:
            params["cursor"] = cursor
        request: dict[str, Any] = {"method": "tools/list"}
        if params:
            request["params"] = params
        response = await send(request)
        result = response.get("result") if response else None
        if not isinstance(result, dict) or not isinstance(result.get("tools"), list):
            return None
        tools.extend(t for t in result["tools"] if isinstance(t, dict))
        next_cursor = result.get("nextCursor")
        if not isinstance(next_cursor, str) or not next_cursor:
            return tools
        cursor = next_cursor
    return tools
