"""The bridge: each TCP connection to the in-sandbox listener is handed over (the socket itself,
SCM_RIGHTS) to the egress proxy's unix socket; and the proxy's bidirectional copy (``relay``).

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading

CHUNK = 1024 * 1024
BUFFER = 4 * 1024 * 1024
#: The byte a bridge sends with its client's socket attached (launcher.c: HANDOVER_MARKER).
HANDOVER = b"\x01"
_F_SETPIPE_SZ = 1031


def _splice(src: socket.socket, dst: socket.socket, counter: list[int], index: int) -> None:
    """Zero-copy socket → pipe → socket (Linux ``splice``); the GIL is free while bytes move."""
    read_end, write_end = os.pipe()
    try:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            fcntl.fcntl(write_end, _F_SETPIPE_SZ, CHUNK)
        except OSError:
            pass
        while True:
            n = os.splice(src.fileno(), write_end, CHUNK)
            if n == 0:
                break
            left = n
            while left:
                left -= os.splice(read_end, dst.fileno(), left)
            counter[index] += n
    finally:
        os.close(read_end)
        os.close(write_end)


def _pump(src: socket.socket, dst: socket.socket, counter: list[int], index: int) -> None:
    try:
        if hasattr(os, "splice"):
            _splice(src, dst, counter, index)
        else:
            buffer = bytearray(CHUNK)
            view = memoryview(buffer)
            while n := src.recv_into(buffer):
                dst.sendall(view[:n])
                counter[index] += n
    except OSError:
        pass
    finally:
        for sock, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:  # noqa: SIM105 (contextlib costs start-up time here)
                sock.shutdown(how)
            except OSError:
                pass


def _widen(*socks: socket.socket) -> None:
    """Socket buffers of BUFFER bytes: fewer wake-ups per megabyte on every hop (the kernel caps
    them at net.core.wmem_max / rmem_max)."""
    for sock in socks:
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            try:  # noqa: SIM105 (contextlib costs start-up time here)
                sock.setsockopt(socket.SOL_SOCKET, option, BUFFER)
            except OSError:
                pass


def relay(client: socket.socket, upstream: socket.socket, first_up: bytes = b"") -> tuple[int, int]:
    """Copy both ways until both sides finish; returns (bytes client→upstream, upstream→client)."""
    counter = [0, 0]
    _widen(client, upstream)
    if first_up:
        upstream.sendall(first_up)
        counter[0] += len(first_up)
    up = threading.Thread(target=_pump, args=(client, upstream, counter, 0), daemon=True)
    up.start()
    _pump(upstream, client, counter, 1)
    up.join()
    return counter[0], counter[1]


def hand_over(client: socket.socket, unix_path: str) -> None:
    """Give the client's socket itself to the egress proxy (SCM_RIGHTS with the HANDOVER byte):
    the proxy relays it, nothing is copied in here. Non-blocking: a full backlog drops it."""
    with client:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as upstream:
                upstream.setblocking(False)
                upstream.connect(unix_path)
                socket.send_fds(upstream, [HANDOVER], [client.fileno()])
        except OSError:
            return


def serve_bridge(listener: socket.socket, unix_path: str) -> None:
    """Accept TCP connections forever, each handed over to the proxy's unix socket."""
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        hand_over(client, unix_path)


def start_bridge(listener: socket.socket, unix_path: str) -> threading.Thread:
    thread = threading.Thread(target=serve_bridge, args=(listener, unix_path), daemon=True)
    thread.start()
    return thread


def proxy_environment(port: int) -> dict[str, str]:
    """The variables that point HTTP clients at the bridge to the egress proxy."""
    url = f"http://127.0.0.1:{port}"
    env = {name: url for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
                                  "ALL_PROXY", "all_proxy")}
    local = "localhost,127.0.0.1,::1"
    env["NO_PROXY"] = local
    env["no_proxy"] = local
    return env
