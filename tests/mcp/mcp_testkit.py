"""Helpers for the MCP proxy tests: a policy, the proxy command line, SDK client sessions, the log."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters

HERE = Path(__file__).resolve().parent
SERVER = str(HERE / "mcp_fixture_server.py")

POLICY = """\
version = 1
mode = "{mode}"

[mcp]
allow = ["demo:echo", "demo:env_names", "demo:crash", "demo:poisoned"]
deny  = ["*:delete_*"]
default = "ask"

[env]
pass = ["PATH", "HOME", "LANG"]
"""


def write_policy(workspace: Path, mode: str = "enforce") -> Path:
    folder = workspace / ".blastshield"
    folder.mkdir(exist_ok=True)
    path = folder / "policy.toml"
    path.write_text(POLICY.format(mode=mode))
    return path


def proxy_argv(policy: Path, *server_args: str, name: str = "demo") -> list[str]:
    return ["-m", "blastshield", "mcp-proxy", "--policy", str(policy), "--name", name, "--",
            sys.executable, SERVER, *server_args]


@asynccontextmanager
async def proxied(env: Any, policy: Path, *server_args: str, mode: str = "legacy",
                  extra_env: dict[str, str] | None = None) -> AsyncIterator[Client]:
    """A real SDK client talking to the fixture server through `blastshield mcp-proxy`."""
    environ = dict(env.environ)
    environ.update(extra_env or {})
    params = StdioServerParameters(command=sys.executable, args=proxy_argv(policy, *server_args),
                                   env=environ, cwd=str(env.workspace))
    async with Client(params, mode=mode, cache=None) as client:
        yield client


def log_records(env: Any, *filters: str) -> list[dict[str, Any]]:
    result = env.run("log", "list", "--host", "mcp-proxy", "--limit", "0", "--json", *filters)
    assert result.code == 0, result.stderr
    records: list[dict[str, Any]] = json.loads(result.stdout)["records"]
    return records
