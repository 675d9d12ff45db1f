"""The egress proxy: HTTP CONNECT and plain HTTP forwarding on a unix socket, with the allow-list.

It runs in the ``blastshield run`` process, outside the sandbox; the bridge inside
forwards the sandbox's 127.0.0.1 proxy port here. One thread per connection. For each
request: parse the head, judge the host with the policy (``egress.judge_host``),
resolve the name (``--resolve`` overrides first), keep only addresses the policy lets
us reach (``egress.pick_addresses``), connect to one of those exact addresses, then
relay bytes. Refusals get ``403`` with a one-line plain-text body that says why.
Every connection is recorded, allowed or refused.
"""

from __future__ import annotations

import _socket
import _thread
import os
import time

from blastshield.effects import Verdict
from blastshield.policy.model import Policy

# socket, threading, the relay, the decision, URL parsing and record modules are imported once
# the sandbox is starting (``serve``): not before it, on the start-up path.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    import threading
    from collections.abc import Callable

    from blastshield.sandbox.netlog import ConnectionLog, ConnectionRecord

    Recorder = Callable[[ConnectionRecord], None]

MAX_HEAD = 64 * 1024
HEAD_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0
_HOP_HEADERS = {"proxy-connection", "proxy-authorization", "connection", "keep-alive", "te",
                "trailer", "upgrade", "proxy-authenticate"}


class _BadRequest(Exception):
    pass


class _Request:
    """A parsed request head (a plain class: no dataclass cost at start-up)."""

    __slots__ = ("head", "host", "method", "port", "rest")

    def __init__(self, method: str, host: str, port: int, head: bytes, rest: bytes) -> None:
        self.method = method
        self.host = host
        self.port = port
        self.head = head  # what to send upstream first (empty for CONNECT)
        self.rest = rest  # bytes the client sent after the head


def _split_host_port(text: str, default_port: int | None) -> tuple[str, int]:
    if text.startswith("["):
        host, _, after = text[1:].partition("]")
        port_text = after[1:] if after.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not port_text:
        if default_port is None:
            raise _BadRequest(f"no port in {text!r}")
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _BadRequest(f"bad port in {text!r}")
    return host, int(port_text)


def split_http_url(target: str) -> tuple[str, str]:
    """(host[:port], path with query) of a plain-HTTP proxy request's absolute URL
    (``http://host:port/path?query#fragment``; the fragment is never sent). Strict where
    ``urlsplit`` is lenient: anything but printable ASCII is refused, not stripped, so the
    host judged is the host the bytes name; credentials (``user@``) are refused."""
    if not target.isascii() or not target.isprintable() or " " in target:
        raise _BadRequest("the URL holds spaces, control or non-ASCII characters")
    scheme, sep, rest = target.partition("://")
    if not sep or scheme.lower() != "http":
        raise _BadRequest("plain HTTP through the proxy needs an absolute http:// URL "
                          "(use CONNECT for https)")
    end = len(rest)
    for mark in "/?#":
        found = rest.find(mark)
        if 0 <= found < end:
            end = found
    netloc, tail = rest[:end], rest[end:].partition("#")[0]
    if not netloc:
        raise _BadRequest("plain HTTP through the proxy needs an absolute http:// URL with a host")
    if "@" in netloc:
        raise _BadRequest("credentials in the proxy URL are not forwarded")
    path, _, query = tail.partition("?")
    return netloc, (path or "/") + (f"?{query}" if query else "")


def parse_request(data: bytes) -> _Request:
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        raise _BadRequest("incomplete request head")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise _BadRequest("not an HTTP request line")
    method, target, version = parts
    if method == "CONNECT":
        host, port = _split_host_port(target, None)
        return _Request(method, host, port, b"", rest)
    netloc, path = split_http_url(target)
    host, port = _split_host_port(netloc, 80)
    headers = [line for line in lines[1:]
               if line and line.split(":", 1)[0].strip().lower() not in _HOP_HEADERS]
    if not any(line.lower().startswith("host:") for line in headers):
        headers.insert(0, f"Host: {netloc}")
    out = "\r\n".join([f"{method} {path} {version}", *headers, "Connection: close", "", ""])
    return _Request(method, host, port, out.encode("latin-1"), rest)


def take_client(conn: socket.socket) -> tuple[socket.socket, bytes]:
    """The socket to serve and the bytes already read from it (the timeout is set).

    The bridge inside the sandbox hands over its client's TCP socket itself: one marker byte
    with the descriptor attached (SCM_RIGHTS). The proxy then relays between that socket and the
    upstream directly, with no copy loop inside the sandbox. Any other client of the unix socket
    simply speaks HTTP on it. A handed-over descriptor must be a TCP socket (anything else is
    closed and refused); it is received close-on-exec, so no child ever inherits it."""
    import array
    import socket

    from blastshield.sandbox.bridge import HANDOVER

    conn.settimeout(HEAD_TIMEOUT)
    size = array.array("i").itemsize
    data, ancillary, flags, _ = conn.recvmsg(8192, socket.CMSG_SPACE(size), socket.MSG_CMSG_CLOEXEC)
    fds = array.array("i")
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - len(payload) % size])
    if not fds:
        return conn, data
    for extra in fds[1:]:
        os.close(extra)
    try:
        client = socket.socket(fileno=fds[0])  # reads the family and type from the descriptor
    except OSError:
        os.close(fds[0])
        raise _BadRequest("the handed-over descriptor is not a socket") from None
    if data != HANDOVER or flags & socket.MSG_CTRUNC or client.type != socket.SOCK_STREAM \
            or client.family not in (socket.AF_INET, socket.AF_INET6):
        client.close()
        raise _BadRequest("the handed-over descriptor is not a TCP connection")
    client.settimeout(HEAD_TIMEOUT)
    return client, b""


def _read_head(conn: socket.socket, data: bytes = b"") -> bytes:
    """Read up to the end of the request head (``data``: bytes already read; the caller set the
    timeout)."""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(8192)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_HEAD:
            raise _BadRequest("request head too large")
    conn.settimeout(None)
    return data


def _answer(conn: socket.socket, status: int, reason: str, body: str) -> None:
    payload = (body + "\n").encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(payload)}\r\nX-Blastshield: refused\r\nConnection: close\r\n\r\n")
    try:  # noqa: SIM105 (contextlib costs start-up time here)
        conn.sendall(head.encode() + payload)
    except OSError:
        pass


class EgressProxy:
    """Serve the allow-list proxy on ``socket_path`` in background threads."""

    def __init__(self, policy: Policy, socket_path: str, record: Recorder,
                 resolve_overrides: dict[str, str] | None = None) -> None:
        self.policy = policy
        self.socket_path = socket_path
        self.record = record
        self.overrides = {k.lower().rstrip("."): v for k, v in (resolve_overrides or {}).items()}
        self.threads: list[threading.Thread] = []
        self.lock = _thread.allocate_lock()
        self._listener: _socket.socket | None = None

    def start(self) -> None:
        """Listen on the unix socket, with the C-level ``_socket`` (no socket module import).
        Connections wait in the backlog until :meth:`serve` runs."""
        listener = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)  # close-on-exec (PEP 446)
        try:
            listener.bind(self.socket_path)
            os.chmod(self.socket_path, 0o666)
            listener.listen(128)
        except BaseException:
            listener.close()
            raise
        self._listener = listener

    def serve(self) -> None:
        """Accept connections in a background thread (called once the sandbox process exists)."""
        _thread.start_new_thread(self._accept_loop, ())

    def prepare(self) -> None:
        """Import what serving needs (socket, threading, the relay, the decision, the record: ~8 ms;
        URLs are split without urllib, re or ipaddress), in the calling thread while it would only
        wait for the sandbox.

        ``run`` calls it once the sandbox is starting, so the imports overlap bubblewrap's work in
        its own process: neither ``run``'s start nor the first connection waits for them
        (imported on first use, a download's first byte came ~10 ms later). In the main thread, not
        the proxy's: nothing is left importing when ``run`` exits."""
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            _import_connection_modules()
        except Exception:  # each connection imports them again and fails alone
            pass

    def close(self, wait: float = 2.0) -> None:
        with self.lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            try:  # noqa: SIM105 (contextlib costs start-up time here)
                listener.shutdown(_socket.SHUT_RDWR)  # wakes the accept below
            except OSError:
                pass
            listener.close()
        deadline = time.monotonic() + wait
        with self.lock:
            threads = list(self.threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _accept_loop(self) -> None:
        """One thread per connection; the wait for one is the C-level accept (the socket module may
        still be importing in the main thread)."""
        while (listener := self._listener) is not None:
            try:
                # the C-level accept (accept4 with SOCK_CLOEXEC: never inherited); typeshed omits it
                fd, _ = listener._accept()  # type: ignore[attr-defined]
            except OSError:
                return
            try:
                import socket
                import threading

                conn = socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, fileno=fd)
            except Exception:  # cannot serve this one: the client sees its connection closed
                os.close(fd)
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self.lock:
                self.threads = [t for t in self.threads if t.is_alive()]
                self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        start = time.monotonic()
        served: list[socket.socket] = []
        try:
            with conn:
                record = self._handle(conn, served)
        finally:
            for client in served:
                client.close()
        if record is not None:
            self.record(record.replace(duration_ms=(time.monotonic() - start) * 1000))

    def _handle(self, unix_conn: socket.socket, served: list[socket.socket]) -> ConnectionRecord | None:
        """Serve one connection (``served`` gets a handed-over client socket, for the caller to close)."""
        from blastshield.sandbox.egress import judge_host, pick_addresses
        from blastshield.sandbox.netlog import ConnectionRecord

        conn = unix_conn
        try:
            conn, data = take_client(unix_conn)
            if conn is not unix_conn:
                served.append(conn)
                unix_conn.close()
            data = _read_head(conn, data)
            if not data:
                return None
            request = parse_request(data)
        except (_BadRequest, UnicodeError) as exc:
            _answer(conn, 400, "Bad Request", f"blastshield egress proxy: {exc}")
            return ConnectionRecord("?", "", 0, "deny", "deny", "proxy", f"bad request: {exc}", status=400)
        except OSError:
            return None
        verdict = judge_host(self.policy, request.host, request.port)
        base = ConnectionRecord(request.method, request.host.lower(), request.port, str(verdict.verdict),
                                str(verdict.applied), verdict.rule, verdict.reason)
        target = f"{request.host}:{request.port}"
        if verdict.applied is not Verdict.ALLOW:
            _answer(conn, 403, "Forbidden",
                    f"blastshield: connection to {target} refused by policy: "
                    f"{verdict.reason} ({verdict.rule})")
            return base.replace(applied="deny", status=403)
        choice = pick_addresses(self.policy, request.host, request.port,
                                self._resolve(request.host, request.port))
        if not choice.allowed:
            _answer(conn, 403, "Forbidden",
                    f"blastshield: connection to {target} refused: {choice.refused_reason}")
            return base.replace(applied="deny", reason=choice.refused_reason, status=403)
        upstream, address, error = self._connect(choice.allowed, request.port)
        if upstream is None:
            _answer(conn, 502, "Bad Gateway", f"blastshield: cannot reach {target}: {error}")
            return base.replace(error=error, status=502)
        with upstream:
            if request.method == "CONNECT":
                try:
                    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                except OSError as exc:
                    return base.replace(address=address, error=str(exc), status=200)
            from blastshield.sandbox.bridge import relay

            up, down = relay(conn, upstream, request.head + request.rest)
        return base.replace(address=address, bytes_up=up, bytes_down=down,
                       status=200 if request.method == "CONNECT" else 0)

    def _resolve(self, host: str, port: int) -> list[str]:
        name = host.lower().rstrip(".")
        if name in self.overrides:
            return [self.overrides[name]]
        import socket

        try:
            infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return []
        return [str(info[4][0]) for info in infos]

    def _connect(self, addresses: tuple[str, ...], port: int) -> tuple[socket.socket | None, str, str]:
        import socket

        error = "no address"
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(CONNECT_TIMEOUT)
            try:
                sock.connect((address, port))
            except OSError as exc:
                sock.close()
                error = exc.strerror or str(exc)
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock, address, ""
        return None, "", error


def _import_connection_modules() -> None:
    import socket  # noqa: F401
    import threading  # noqa: F401

    from blastshield.sandbox import bridge, egress, netlog  # noqa: F401


class LazyConnectionLog:
    """A :class:`~blastshield.sandbox.netlog.ConnectionLog` created on the first connection."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.lock = _thread.allocate_lock()
        self.log: ConnectionLog | None = None

    def record(self, record: ConnectionRecord) -> None:
        with self.lock:
            if self.log is None:
                from blastshield.sandbox.netlog import ConnectionLog

                self.log = ConnectionLog(self.policy)
            log = self.log
        log.record(record)

    def close(self) -> None:
        with self.lock:
            if self.log is not None:
                self.log.close()
