"""The bridge hands each client's TCP socket to the egress proxy (SCM_RIGHTS). A process inside
the sandbox can reach the proxy's unix socket too: whatever it hands over that is not a TCP
connection is closed and refused with 400 (and logged); a plain HTTP request on the unix socket
is still judged by the allow-list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

_SEND = """\
import os, socket
s = socket.socket(socket.AF_UNIX)
s.connect('/run/blastshield/proxy.sock')
{make}
socket.send_fds(s, [{marker!r}], [fd])
s.settimeout(10)
data = b''
while (chunk := s.recv(4096)):
    data += chunk
head, _, body = data.decode(errors='replace').partition('\\r\\n\\r\\n')
print(head.split('\\r\\n')[0])
print(body.strip())
"""


def _records(env: Any) -> list[dict[str, Any]]:
    result = env.run("log", "list", "--host", "sandbox", "--json", "--limit", "0")
    assert result.code == 0, result.stderr
    return [r for r in result.json()["records"] if r.get("event") == "net.connect"]


def _send(env: Any, inside_python: str, make: str, marker: bytes = b"\x01") -> Any:
    return env.run("run", "--", inside_python, "-c", _SEND.format(make=make, marker=marker))


def test_a_handed_over_pipe_is_refused(env: Any, policy: Callable[[Path, str], Path], base_policy: str,
                                       inside_python: str) -> None:
    policy(env.workspace, base_policy)
    result = _send(env, inside_python, "fd, _ = os.pipe()")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "HTTP/1.1 400 Bad Request"
    assert "handed-over descriptor is not a socket" in result.stdout
    records = _records(env)
    assert [r["reason"] for r in records] == ["bad request: the handed-over descriptor is not a socket"]
    assert records[0]["decision"] == "deny"


def test_a_handed_over_unix_socket_is_refused(env: Any, policy: Callable[[Path, str], Path],
                                              base_policy: str, inside_python: str) -> None:
    policy(env.workspace, base_policy)
    result = _send(env, inside_python, "a, b = socket.socketpair(); fd = a.fileno()")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "HTTP/1.1 400 Bad Request"
    assert "handed-over descriptor is not a TCP connection" in result.stdout


def test_a_wrong_marker_with_a_tcp_socket_is_refused(env: Any, policy: Callable[[Path, str], Path],
                                                     base_policy: str, inside_python: str) -> None:
    policy(env.workspace, base_policy)
    make = ("l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)\n"
            "c = socket.create_connection(l.getsockname()); fd = c.fileno()")
    result = _send(env, inside_python, make, marker=b"GET")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "HTTP/1.1 400 Bad Request"
    assert "not a TCP connection" in result.stdout


def test_plain_http_on_the_unix_socket_is_still_judged(env: Any, policy: Callable[[Path, str], Path],
                                                       base_policy: str, inside_python: str) -> None:
    policy(env.workspace, base_policy)
    script = ("import socket\n"
              "s = socket.socket(socket.AF_UNIX); s.connect('/run/blastshield/proxy.sock')\n"
              "s.sendall(b'GET http://evil.test/x HTTP/1.1\\r\\nHost: evil.test\\r\\n\\r\\n')\n"
              "print(s.recv(4096).decode().split('\\r\\n')[0])\n")
    result = env.run("run", "--", inside_python, "-c", script)
    assert result.code == 0, result.stderr
    assert result.stdout == "HTTP/1.1 403 Forbidden\n"
    assert [r["action"] for r in _records(env)] == ["GET evil.test:80"]
