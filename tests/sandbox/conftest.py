"""Fixtures for real sandboxes: a policy writer, a loopback HTTP server, layer checks."""

from __future__ import annotations

import http.server
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from blastshield.sandbox.layers import probe_layers


@pytest.fixture(scope="session")
def inside_python() -> str:
    """The interpreter the launcher uses is mounted inside the sandbox; tests run Python with it."""
    return os.path.realpath(sys.executable)


@pytest.fixture(autouse=True)
def _require_layers(request: pytest.FixtureRequest) -> None:
    """Every test here needs a real sandbox; skip with the exact reason when the machine lacks one."""
    if request.node.get_closest_marker("weaker"):
        return
    missing = [f"{layer.name} ({layer.detail})" for layer in probe_layers() if not layer.available]
    if missing:
        pytest.skip("this machine lacks sandbox layers: " + ", ".join(missing))


@pytest.fixture(params=["compiled", "python"], autouse=True)
def launcher(request: pytest.FixtureRequest, env: Any) -> str:
    """Every sandbox test runs with both launchers: the compiled one (launcher.c, the default
    where a C compiler exists) and the Python one (launcher.py, the fallback)."""
    env.environ["BLASTSHIELD_LAUNCHER"] = request.param
    return str(request.param)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "weaker: runs without every sandbox layer on purpose")


@pytest.fixture
def policy() -> Callable[[Path, str], Path]:
    def write(workspace: Path, body: str) -> Path:
        folder = workspace / ".blastshield"
        folder.mkdir(exist_ok=True)
        path = folder / "policy.toml"
        path.write_text('version = 1\nmode = "enforce"\n' + body)
        return path
    return write


_BASE_POLICY = """
[files]
read = ["${WORKSPACE}/**"]
write = ["${WORKSPACE}/**"]
deny = ["**/.env", "~/.ssh/**", "~/.aws/**"]
default = "ask"

[network]
allow = ["allowed.test"]
default = "deny"

[env]
pass = ["PATH", "HOME", "LANG", "TERM", "MY_EXACT_API_KEY", "MY_*"]
deny = ["*_SECRET_BLOCKED"]
"""


@pytest.fixture
def base_policy() -> str:
    """Workspace read-write, secrets denied, one allowed host, a pass list with an exact key."""
    return _BASE_POLICY


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = b"hello from outside\n"

    def do_GET(self) -> None:
        size = int(self.path.split("/bytes/")[1]) if "/bytes/" in self.path else 0
        body = b"x" * size if size else self.payload
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def http_server() -> Iterator[int]:
    """A loopback HTTP server outside the sandbox; yields its port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()
