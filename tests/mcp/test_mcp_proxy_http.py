"""The streamable HTTP MCP proxy: a real SDK server over HTTP, the proxy on loopback, a real SDK client."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
import pytest
from mcp_testkit import SERVER, log_records, write_policy

from mcp import Client, MCPError

META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}}


@dataclass
class Stack:
    url: str
    env: Any


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the MCP server exited early"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def _stop(proc: subprocess.Popen[bytes]) -> bytes:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err or b""


@pytest.fixture(params=["sse", "json"])
def stack(request: pytest.FixtureRequest, env: Any) -> Iterator[Stack]:
    policy = write_policy(env.workspace)
    port = _free_port()
    extra = ["--json-response"] if request.param == "json" else []
    server = subprocess.Popen([sys.executable, SERVER, "--http", str(port), *extra], env=env.environ,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proxy: subprocess.Popen[bytes] | None = None
    try:
        _wait_port(port, server)
        proxy = subprocess.Popen([sys.executable, "-m", "blastshield", "mcp-proxy", "--policy", str(policy),
                                  "--name", "demo", "--listen", "127.0.0.1:0",
                                  "--upstream", f"http://127.0.0.1:{port}/mcp"],
                                 env=env.environ, cwd=env.workspace, stderr=subprocess.PIPE)
        assert proxy.stderr is not None
        line = proxy.stderr.readline().decode()
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+/)", line)
        assert found, line
        yield Stack(found.group(1) + "mcp", env)
    finally:
        if proxy is not None:
            _stop(proxy)
        _stop(server)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_http_filter_allow_deny(stack: Stack, mode: str) -> None:
    async def session() -> tuple[str, list[str], str, MCPError]:
        async with Client(stack.url, mode=mode, cache=None) as client:
            names = sorted(t.name for t in (await client.list_tools()).tools)
            text = (await client.call_tool("echo", {"text": "over http"})).content[0].text  # type: ignore[union-attr]
            with pytest.raises(MCPError) as caught:
                await client.call_tool("delete_file", {"path": "/x"})
            return client.protocol_version, names, text, caught.value

    version, names, text, denied = anyio.run(session)
    assert version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
    assert names == ["crash", "echo", "env_names", "poisoned"]
    assert text == "over http"
    assert denied.code == -32003 and "demo:delete_file" in denied.message
    records = log_records(stack.env)
    calls = [(r["event"], r["tool"], r["decision"], r["extra"].get("revision")) for r in records
             if r["event"] == "PreToolUse"]
    assert calls == [("PreToolUse", "demo:echo", "allow", version),
                     ("PreToolUse", "demo:delete_file", "deny", version)]
    assert any(r["event"] == "PostToolUse" and r["tool"] == "demo:echo" for r in records)


def test_http_refuses_foreign_origin_host_and_header_mismatch(stack: Stack) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "delete_file", "arguments": {"path": "/"}, "_meta": META}}
    headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28",
               "Mcp-Method": "tools/call"}
    with httpx2.Client(timeout=30) as client:
        foreign = client.post(stack.url, json=body, headers={**headers, "Origin": "http://evil.example"})
        assert foreign.status_code == 403 and "Origin" in foreign.text
        rebinding = client.post(stack.url, json=body, headers={**headers, "Host": "evil.example"})
        assert rebinding.status_code == 421
        mismatch = client.post(stack.url, json=body, headers={**headers, "Mcp-Name": "echo"})
        assert mismatch.status_code == 400 and mismatch.json()["error"]["code"] == -32020
        local = client.post(stack.url, json=body, headers={**headers, "Mcp-Name": "delete_file",
                                                           "Origin": "http://localhost:3000"})
        assert local.status_code == 200 and local.json()["error"]["code"] == -32003
        not_json = client.post(stack.url, content=b"{oops", headers=headers)
        assert not_json.status_code == 400 and not_json.json()["error"]["code"] == -32700
        batch = client.post(stack.url, content=json.dumps([body]).encode(), headers=headers)
        assert batch.status_code == 400 and "one per request" in batch.json()["error"]["message"]
