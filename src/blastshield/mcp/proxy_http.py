"""The streamable HTTP transport: listen on a loopback address, forward to the upstream MCP endpoint.

Every POST carries one JSON-RPC message. Requests are judged like on stdio (relay.py);
the upstream answer, JSON or an SSE stream, goes back with ``Mcp-Session-Id`` and
``MCP-Protocol-Version`` passed through both ways; the response to a ``tools/list`` is
filtered and the result of a ``tools/call`` recorded, wherever in the stream it comes.
GET (the session-era server stream) and DELETE (session end) pass through untouched.

Browser-borne requests are refused unless their ``Origin`` is loopback or listed with
``--allow-origin``, and the ``Host`` header must name this proxy (DNS rebinding). For a
``tools/call`` the stateless revision's ``Mcp-Name`` header must match the body's tool
name (otherwise a router that trusts the header could run another tool than the one judged).
Batches that hold ``tools/call`` or ``tools/list`` are refused (batching left MCP in 2025-06-18).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from blastshield.errors import UsageError
from blastshield.mcp import jsonrpc
from blastshield.mcp.gate import Gate
from blastshield.mcp.jsonrpc import Shape, classify
from blastshield.mcp.relay import Answer, Pending, Relay, fetch_all_tools
from blastshield.mcp.revision import HEADER_METHOD, HEADER_NAME, HEADER_PROTOCOL_VERSION, HEADER_SESSION_ID
from blastshield.mcp.sse import events

if TYPE_CHECKING:
    import httpx2
    from starlette.requests import Request
    from starlette.responses import Response

MAX_BODY = 16 * 1024 * 1024
_JUDGED = ("tools/call", "tools/list", "resources/read", "resources/subscribe")
_DROP_REQUEST = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "upgrade", "te",
                 "proxy-authorization", "proxy-connection", "origin", "accept-encoding", "cookie"}
_PASS_RESPONSE = {"content-type", HEADER_SESSION_ID, HEADER_PROTOCOL_VERSION, "www-authenticate",
                  "cache-control", "retry-after", "location"}


@dataclass(frozen=True, slots=True)
class HttpOptions:
    listen: str
    upstream: str
    allowed_origins: tuple[str, ...] = ()


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "", text
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
    except ValueError:
        raise UsageError(f"--listen {text!r}: expected HOST:PORT",
                         hint="e.g. --listen 127.0.0.1:8808") from None
    if not 0 <= number <= 65535:
        raise UsageError(f"--listen {text!r}: port out of range")
    return host, number


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HttpProxy:
    def __init__(self, gate: Gate, options: HttpOptions, client: httpx2.AsyncClient) -> None:
        self.gate = gate
        self.options = options
        self.client = client
        self.upstream = options.upstream
        self.allowed_hosts: set[str] = set()
        self._ids = 0

    # -- admission ----------------------------------------------------------------------------

    def refuse(self, request: Request) -> Response | None:
        from starlette.responses import PlainTextResponse

        origin = request.headers.get("origin")
        if origin is not None and origin not in self.options.allowed_origins:
            host = urlsplit(origin).hostname or ""
            if not _is_loopback(host):
                return PlainTextResponse(f"blastshield: Origin {origin!r} is not allowed "
                                         "(use --allow-origin to add it)", status_code=403)
        host_header = (request.headers.get("host") or "").lower()
        if host_header and host_header not in self.allowed_hosts:
            return PlainTextResponse(f"blastshield: Host {host_header!r} is not this proxy", status_code=421)
        return None

    def upstream_headers(self, request: Request) -> dict[str, str]:
        return {k: v for k, v in request.headers.items() if k.lower() not in _DROP_REQUEST}

    # -- handlers -----------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        refused = self.refuse(request)
        if refused is not None:
            return refused
        if request.method == "POST":
            return await self.post(request)
        return await self.passthrough(request)

    async def passthrough(self, request: Request) -> Response:
        from starlette.responses import StreamingResponse

        headers = self.upstream_headers(request)
        upstream = self.client.build_request(request.method, self.upstream, headers=headers)
        try:
            response = await self.client.send(upstream, stream=True)
        except Exception as exc:
            return self.unreachable(None, exc)
        return StreamingResponse(self._relay_bytes(response), status_code=response.status_code,
                                 headers=_response_headers(response.headers))

    async def _relay_bytes(self, response: httpx2.Response) -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_raw():
                yield chunk
        finally:
            await response.aclose()

    async def post(self, request: Request) -> Response:
        from starlette.responses import JSONResponse

        body = await request.body()
        if len(body) > MAX_BODY:
            too_large = jsonrpc.error(None, jsonrpc.INVALID_REQUEST, "blastshield: message too large")
            return JSONResponse(too_large, 413)
        try:
            decoded = jsonrpc.decode(body)
        except ValueError:
            not_json = jsonrpc.error(None, jsonrpc.PARSE_ERROR, "blastshield: the body is not valid JSON")
            return JSONResponse(not_json, 400)
        headers = self.upstream_headers(request)
        if isinstance(decoded, list):
            judged = [m for m in decoded if isinstance(m, dict) and m.get("method") in _JUDGED]
            if judged or not decoded:
                refused = jsonrpc.error(None, jsonrpc.INVALID_REQUEST,
                                        "blastshield: send tools/call, tools/list and resources/read "
                                        "one per request (JSON-RPC batches left MCP in 2025-06-18)")
                return JSONResponse(refused, 400)
            return await self.forward(decoded, headers, None)
        message = classify(decoded)
        if message.shape is Shape.REQUEST and message.method == "tools/call":
            claimed = request.headers.get(HEADER_NAME)
            if claimed is not None and claimed != message.params.get("name"):
                return JSONResponse(jsonrpc.error(message.id, jsonrpc.HEADER_MISMATCH,
                                                  f"blastshield: the {HEADER_NAME} header does not match the "
                                                  "tool name in the body"), 400)
        relay = Relay(self.gate)

        async def fetch(meta: dict[str, Any] | None) -> list[dict[str, Any]] | None:
            return await fetch_all_tools(lambda req: self.own_request(req, headers), meta)

        step = await relay.from_client(message, fetch, request.headers.get(HEADER_PROTOCOL_VERSION, ""))
        if isinstance(step, Answer):
            if step.body is None:
                return JSONResponse(None, 202)
            return JSONResponse(step.body, 200)
        return await self.forward(step.body, headers, (relay, message.id, step.pending)
                                  if step.pending is not None else None)

    async def forward(self, body: Any, headers: dict[str, str],
                      track: tuple[Relay, Any, Pending] | None) -> Response:
        from starlette.responses import Response, StreamingResponse

        upstream = self.client.build_request("POST", self.upstream, content=jsonrpc.encode(body),
                                             headers=headers)
        try:
            response = await self.client.send(upstream, stream=True)
        except Exception as exc:
            return self.unreachable(body.get("id") if isinstance(body, dict) else None, exc)
        out_headers = _response_headers(response.headers)
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "text/event-stream":
            return StreamingResponse(self._relay_events(response, track), status_code=response.status_code,
                                     headers=out_headers)
        try:
            raw = await response.aread()
        finally:
            await response.aclose()
        if kind == "application/json" and track is not None:
            raw = await self._transform_json(raw, track)
            out_headers.pop("content-length", None)
        return Response(raw, status_code=response.status_code, headers=out_headers)

    async def _transform(self, message: Any, track: tuple[Relay, Any, Pending]) -> Any:
        relay, request_id, pending = track
        if (isinstance(message, dict) and ("result" in message or "error" in message)
                and jsonrpc.id_key(message.get("id")) == jsonrpc.id_key(request_id)):
            return await relay.settle(message, pending)
        return message

    async def _transform_json(self, raw: bytes, track: tuple[Relay, Any, Pending]) -> bytes:
        try:
            message = jsonrpc.decode(raw)
        except ValueError:
            self.gate.warn("the upstream answered with a body that is not JSON; passed through")
            return raw
        return jsonrpc.encode(await self._transform(message, track))

    async def _relay_events(self, response: httpx2.Response,
                            track: tuple[Relay, Any, Pending] | None) -> AsyncIterator[bytes]:
        try:
            async for event in events(response.aiter_bytes()):
                if track is None or not event.data:
                    yield event.raw
                    continue
                try:
                    message = json.loads(event.data)
                except ValueError:
                    yield event.raw
                    continue
                changed = await self._transform(message, track)
                yield event.raw if changed is message else event.encode_with_data(
                    json.dumps(changed, ensure_ascii=False, separators=(",", ":")))
        finally:
            await response.aclose()

    def unreachable(self, request_id: Any, exc: Exception) -> Response:
        from starlette.responses import JSONResponse

        why = type(exc).__name__
        self.gate.warn(f"upstream {self.upstream} unreachable: {why}: {exc}", key="unreachable")
        text = f"blastshield: the upstream MCP server is unreachable ({why})"
        return JSONResponse(jsonrpc.error(request_id, jsonrpc.INTERNAL_ERROR, text), 502)

    async def own_request(self, request: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any] | None:
        """A proxy-owned request (tools/list) with the client's session headers; its response."""
        self._ids += 1
        request_id = f"blastshield-{uuid.uuid4().hex[:8]}-{self._ids}"
        body = {"jsonrpc": "2.0", "id": request_id, **request}
        sent = {k: v for k, v in headers.items() if k.lower() != HEADER_NAME}
        if HEADER_METHOD in {k.lower() for k in headers}:
            sent = {k: v for k, v in sent.items() if k.lower() != HEADER_METHOD}
            sent[HEADER_METHOD] = str(request["method"])
        try:
            response = await self.client.post(self.upstream, content=jsonrpc.encode(body), headers=sent)
        except Exception:
            return None
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        candidates: list[Any] = []
        if kind == "application/json":
            try:
                candidates.append(response.json())
            except ValueError:
                return None
        elif kind == "text/event-stream":
            async def one() -> AsyncIterator[bytes]:
                yield response.content

            async for event in events(one()):
                try:
                    candidates.append(json.loads(event.data))
                except ValueError:
                    continue
        for item in candidates:
            if isinstance(item, dict) and item.get("id") == request_id:
                return item
        return None


def _response_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() in _PASS_RESPONSE}


async def _serve(gate: Gate, options: HttpOptions) -> int:
    import httpx2
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Route

    host, port = parse_listen(options.listen)
    scheme = urlsplit(options.upstream).scheme
    if scheme not in ("http", "https"):
        raise UsageError(f"--upstream {options.upstream!r}: expected an http:// or https:// URL")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as exc:
        raise UsageError(f"--listen {options.listen}: cannot bind ({exc.strerror})") from exc
    bound = sock.getsockname()[1]
    if not _is_loopback(host):
        gate.warn(f"listening on {host}, which is not a loopback address: anyone who can reach it can use "
                  "the MCP server through this proxy")
    timeout = httpx2.Timeout(30.0, read=None)
    async with httpx2.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        proxy = HttpProxy(gate, options, client)
        shown = f"[{host}]" if ":" in host else host
        proxy.allowed_hosts = {f"{name}:{bound}" for name in (shown, "localhost", "127.0.0.1", "[::1]")}
        app = Starlette(routes=[Route("/{path:path}", proxy.handle, methods=["GET", "POST", "DELETE"])])
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        server = uvicorn.Server(config)
        gate.audit.submit(gate.session_event("SessionStart", transport="http", upstream=options.upstream,
                                             listen=f"{shown}:{bound}"))
        print(f"blastshield mcp-proxy: listening on http://{shown}:{bound}/ for {options.upstream} "
              f"(server {gate.server!r})", file=sys.stderr, flush=True)
        await server.serve(sockets=[sock])
    return 0


def serve_http(gate: Gate, options: HttpOptions) -> int:
    """Serve until interrupted (SIGINT/SIGTERM); returns the exit status."""
    try:
        return asyncio.run(_serve(gate, options))
    except ImportError as exc:
        raise UsageError(f"streamable HTTP needs the optional MCP packages ({exc.name} is missing)",
                         hint="pip install 'blastshield[mcp]'") from exc
