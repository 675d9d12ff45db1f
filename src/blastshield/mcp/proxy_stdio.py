"""The stdio transport: the client talks to us on stdin/stdout, we talk to the server we spawn.

Newline-delimited JSON-RPC both ways. The server gets the environment the policy's
[env] rules leave (sandbox/env.py). Nothing one side writes can stop the proxy: a line
that is not JSON from the client is answered with a parse error and never forwarded (the
server sees only what was judged, re-encoded exactly as judged); one from the server is
dropped with a note on stderr. When the server exits while the client is still there, the
pending requests get a "connection closed" error, stderr says so, and the proxy exits
with the server's status (1 if that was 0; 128+N for signal N).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from blastshield.errors import UsageError
from blastshield.mcp import jsonrpc
from blastshield.mcp.gate import Gate
from blastshield.mcp.jsonrpc import Shape, classify
from blastshield.mcp.relay import Answer, Pending, Relay, fetch_all_tools

MAX_LINE = 64 * 1024 * 1024
_CHUNK = 256 * 1024
FETCH_TIMEOUT = 30.0
SHUTDOWN_GRACE = 5.0


@dataclass(frozen=True, slots=True)
class StdioOptions:
    command: list[str]
    env: dict[str, str]


async def read_lines(reader: asyncio.StreamReader, on_overflow: Callable[[], None]) -> AsyncIterator[bytes]:
    """Lines without their newline; a line longer than MAX_LINE is skipped (``on_overflow``)."""
    buffer = bytearray()
    skipping = False
    while True:
        chunk = await reader.read(_CHUNK)
        if not chunk:
            if buffer and not skipping:
                yield bytes(buffer)
            return
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                if not skipping:
                    buffer += chunk[start:]
                    if len(buffer) > MAX_LINE:
                        buffer.clear()
                        skipping = True
                        on_overflow()
                break
            if skipping:
                skipping = False
            else:
                buffer += chunk[start:end]
                line = bytes(buffer)
                buffer.clear()
                yield line
            start = end + 1


class _Output:
    """Ordered writes to a pipe (asyncio, with back-pressure) or to any other file (blocking)."""

    def __init__(self, writer: asyncio.StreamWriter | None, fd: int) -> None:
        self.writer = writer
        self.fd = fd
        self.closed = False

    async def write(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            if self.writer is not None:
                self.writer.write(data)
                await self.writer.drain()
            else:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.fd, view):]
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.closed = True


async def _stdin_reader(loop: asyncio.AbstractEventLoop) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=MAX_LINE)
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    except (ValueError, OSError):  # a regular file: feed it from a thread
        def pump() -> None:
            while data := os.read(sys.stdin.fileno(), _CHUNK):
                loop.call_soon_threadsafe(reader.feed_data, data)
            loop.call_soon_threadsafe(reader.feed_eof)

        loop.run_in_executor(None, pump)
    return reader


async def _stdout_output(loop: asyncio.AbstractEventLoop) -> _Output:
    fd = sys.stdout.fileno()
    try:
        transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin,
                                                            os.fdopen(os.dup(fd), "wb"))
        writer = asyncio.StreamWriter(transport, protocol, None, loop)
        return _Output(writer, fd)
    except (ValueError, OSError):
        return _Output(None, fd)


@dataclass
class StdioProxy:
    gate: Gate
    options: StdioOptions
    relay: Relay = field(init=False)
    pending: dict[str, Pending] = field(default_factory=dict)
    waiters: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    client_done: bool = False
    stopping: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _prefix: str = field(default_factory=lambda: f"blastshield-{uuid.uuid4().hex[:8]}-")
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.relay = Relay(self.gate)

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.options.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                env=self.options.env, limit=MAX_LINE)
        except FileNotFoundError:
            raise UsageError(f"MCP server command not found: {self.options.command[0]!r}",
                             hint="give the full path, or check PATH (the server sees only the [env] "
                                  "pass list)") from None
        except PermissionError:
            raise UsageError(f"MCP server command is not executable: {self.options.command[0]!r}") from None
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.server_in = self.proc.stdin
        self.client_out = await _stdout_output(loop)
        client_in = await _stdin_reader(loop)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.add_signal_handler(sig, self._on_signal, sig)
        client_task = asyncio.create_task(self._from_client(client_in))
        await self._from_server(self.proc.stdout)
        status = await self.proc.wait()
        client_gone = self.client_done
        client_task.cancel()
        for task in list(self._tasks):
            task.cancel()
        await self._fail_pending("the MCP server exited")
        if self.stopping:
            return 128 + self.stopping
        if client_gone:
            return status if status > 0 else (128 - status if status < 0 else 0)
        how = f"was killed by signal {-status}" if status < 0 else f"exited with status {status}"
        self.gate.warn(f"MCP server {self.gate.server!r} ({self.options.command[0]}) {how} while the client "
                       "was still connected; ending the proxy")
        return 128 - status if status < 0 else (status or 1)

    def _on_signal(self, sig: int) -> None:
        self.stopping = sig
        if self.proc.returncode is None:
            self.proc.terminate()

    # -- client → server ----------------------------------------------------------------------

    async def _from_client(self, reader: asyncio.StreamReader) -> None:
        def overflow() -> None:
            self._spawn(self._to_client(jsonrpc.error(None, jsonrpc.PARSE_ERROR,
                                                      f"blastshield: message longer than {MAX_LINE} bytes")))

        try:
            async for raw in read_lines(reader, overflow):
                if raw.strip():
                    await self._client_line(raw)
            if self._tasks:  # calls still being judged reach the server before its input closes
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
        finally:
            self.client_done = True
            await self._close_server_input()

    async def _client_line(self, raw: bytes) -> None:
        try:
            body = jsonrpc.decode(raw)
        except ValueError:
            await self._to_client(jsonrpc.error(None, jsonrpc.PARSE_ERROR,
                                                "blastshield: the message is not valid JSON; not forwarded"))
            return
        items = body if isinstance(body, list) else [body]
        if not items:
            await self._to_client(jsonrpc.error(None, jsonrpc.INVALID_REQUEST, "blastshield: empty batch"))
        for item in items:  # a batch is judged and forwarded message by message
            message = classify(item)
            unseen = message.params.get("name") not in self.gate.tools
            if message.method == "tools/call" and message.shape is Shape.REQUEST and unseen:
                self._spawn(self._client_message(message))  # may wait on a tools/list of our own
            else:
                await self._client_message(message)

    async def _client_message(self, message: jsonrpc.Message) -> None:
        step = await self.relay.from_client(message, self._fetch_tools)
        if isinstance(step, Answer):
            if step.body is not None:
                await self._to_client(step.body)
            return
        if step.pending is not None:
            self.pending[jsonrpc.id_key(message.id)] = step.pending
        await self._to_server(step.body)

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _to_server(self, body: Any) -> None:
        try:
            self.server_in.write(jsonrpc.encode(body))
            await self.server_in.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server is gone; its stdout EOF ends the proxy

    async def _close_server_input(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
            self.server_in.close()
        asyncio.get_running_loop().call_later(SHUTDOWN_GRACE, self._terminate_late)

    def _terminate_late(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            asyncio.get_running_loop().call_later(SHUTDOWN_GRACE, self._kill_late)

    def _kill_late(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()

    async def _fetch_tools(self, meta: dict[str, Any] | None) -> list[dict[str, Any]] | None:
        return await fetch_all_tools(self._own_request, meta)

    async def _own_request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        request_id = f"{self._prefix}{next(self._ids)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiters[jsonrpc.id_key(request_id)] = future
        await self._to_server({"jsonrpc": "2.0", "id": request_id, **request})
        try:
            return await asyncio.wait_for(future, FETCH_TIMEOUT)
        except (TimeoutError, asyncio.CancelledError, ConnectionError):
            return None
        finally:
            self.waiters.pop(jsonrpc.id_key(request_id), None)

    # -- server → client ----------------------------------------------------------------------

    async def _from_server(self, reader: asyncio.StreamReader) -> None:
        def overflow() -> None:
            self.gate.warn(f"the server wrote a line longer than {MAX_LINE} bytes; dropped")

        async for raw in read_lines(reader, overflow):
            if not raw.strip():
                continue
            try:
                body = jsonrpc.decode(raw)
            except ValueError:
                self.gate.warn(f"the server wrote a line that is not JSON-RPC; dropped: {raw[:80]!r}")
                continue
            for item in body if isinstance(body, list) else [body]:
                await self._server_message(item)

    async def _server_message(self, item: Any) -> None:
        message = classify(item)
        if message.shape is Shape.RESPONSE and isinstance(item, dict):
            key = jsonrpc.id_key(message.id)
            waiter = self.waiters.get(key)
            if waiter is not None:
                if not waiter.done():
                    waiter.set_result(item)
                return
            pending = self.pending.pop(key, None)
            if pending is not None:
                item = await self.relay.settle(item, pending)
        await self._to_client(item)

    async def _to_client(self, body: Any) -> None:
        await self.client_out.write(jsonrpc.encode(body))

    async def _fail_pending(self, why: str) -> None:
        for future in self.waiters.values():
            if not future.done():
                future.set_exception(ConnectionError(why))
        for key in list(self.pending):
            self.pending.pop(key)
            request_id = jsonrpc.decode(key)
            await self._to_client(jsonrpc.error(request_id, jsonrpc.CONNECTION_CLOSED, f"blastshield: {why}"))


def serve_stdio(gate: Gate, options: StdioOptions) -> int:
    """Run the proxy until the client or the server goes away; returns the exit status."""
    return asyncio.run(StdioProxy(gate, options).run())
