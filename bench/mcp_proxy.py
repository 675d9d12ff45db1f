"""Added latency of `blastshield mcp-proxy` per tools/call (target: p50 ≤ 2 ms).

One local stdio MCP server (the official SDK) is started twice: directly, and behind the
proxy (policy allows the tool, pins in place, every call recorded in the audit log). Both
get the same raw JSON-RPC handshake, then CALLS sequential tools/call requests, alternating
direct and proxied so both see the same machine load. Prints the median and p90 round
trip of each, and the median of the paired differences (proxied minus direct).

Usage: python bench/mcp_proxy.py [--calls N]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import PY, median, percentile, workspace

CALLS = int(sys.argv[sys.argv.index("--calls") + 1]) if "--calls" in sys.argv else 1000

SERVER = """
from mcp.server.mcpserver import MCPServer
app = MCPServer("bench")

@app.tool(description="Echo text back.")
def echo(text: str) -> str:
    return text

app.run()
"""

POLICY = """version = 1
mode = "enforce"

[mcp]
allow = ["bench:echo"]
default = "deny"
"""


class Peer:
    def __init__(self, argv: list[str], cwd: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd, env=env)
        self.next_id = 0

    def call(self, method: str, params: dict[str, Any] | None = None) -> tuple[dict[str, Any], float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.next_id += 1
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            body["params"] = params
        line = json.dumps(body).encode() + b"\n"
        start = time.perf_counter()
        self.proc.stdin.write(line)
        self.proc.stdin.flush()
        while True:
            reply = json.loads(self.proc.stdout.readline())
            if reply.get("id") == self.next_id:
                return reply, (time.perf_counter() - start) * 1000

    def notify(self, method: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": method}).encode() + b"\n")
        self.proc.stdin.flush()

    def handshake(self) -> None:
        self.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                 "clientInfo": {"name": "bench", "version": "1"}})
        self.notify("notifications/initialized")
        self.call("tools/list")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def main() -> None:
    repo, env = workspace()
    with open(os.path.join(repo, ".blastshield", "policy.toml"), "w", encoding="utf-8") as handle:
        handle.write(POLICY)
    server = os.path.join(repo, "bench_server.py")
    with open(server, "w", encoding="utf-8") as handle:
        handle.write(SERVER)
    direct = Peer([PY, server], repo, env)
    proxied = Peer([PY, "-m", "blastshield", "mcp-proxy", "--name", "bench", "--", PY, server], repo, env)
    for peer in (direct, proxied):
        peer.handshake()
    args = {"name": "echo", "arguments": {"text": "x" * 64}}
    for _ in range(50):  # warm-up
        direct.call("tools/call", args)
        proxied.call("tools/call", args)
    times_direct: list[float] = []
    times_proxied: list[float] = []
    for index in range(CALLS):
        order = (direct, proxied) if index % 2 == 0 else (proxied, direct)
        for peer in order:
            reply, ms = peer.call("tools/call", args)
            assert "result" in reply, reply
            (times_direct if peer is direct else times_proxied).append(ms)
    direct.close()
    proxied.close()
    diffs = [p - d for p, d in zip(times_proxied, times_direct, strict=True)]
    print(f"tools/call round trips, {CALLS} each, alternating (SDK stdio server, proxy recording every call)")
    print(f"  direct   p50 {median(times_direct):7.3f} ms   p90 {percentile(times_direct, 90):7.3f} ms")
    print(f"  proxied  p50 {median(times_proxied):7.3f} ms   p90 {percentile(times_proxied, 90):7.3f} ms")
    added = median(times_proxied) - median(times_direct)
    print(f"  added    p50 {added:7.3f} ms (difference of medians); median paired difference "
          f"{median(diffs):7.3f} ms   target <= 2 ms: {'met' if added <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
