"""Sit between an MCP client and an MCP server and hold the server's tools to the policy.

stdio: the client starts `blastshield mcp-proxy ... -- SERVER-CMD ...` instead of the
server; the proxy starts the server with the [env]-filtered environment. Streamable HTTP:
`--listen 127.0.0.1:8808 --upstream https://host/mcp`; point the client at the listen URL.

tools/call is decided on the [mcp] rules ("server:tool" globs): a denied call gets a
JSON-RPC error (code -32003) the client shows; ask is refused too (nobody to ask) with a
reason saying how to allow it. tools/list shows only allowed tools. Each tool's name,
description and input schema are pinned (hashed) on first sight in .blastshield/mcp-pins.json;
a tool whose definition changes is refused until `blastshield mcp approve SERVER:TOOL`.
Every call and result is recorded, redacted, in the audit log (host "mcp-proxy").
Session-based revisions (2024-11-05 … 2025-11-25) and the stateless 2026-07-28 revision
are detected per request.

example: blastshield mcp-proxy --name github -- npx -y @modelcontextprotocol/server-github
         blastshield mcp-proxy --name docs --listen 127.0.0.1:8808 --upstream http://127.0.0.1:9000/mcp
"""

from __future__ import annotations

import argparse
import os
import re

from blastshield.errors import UsageError

NAME = "mcp-proxy"
HELP = "proxy an MCP server (stdio or streamable HTTP) and enforce the policy's [mcp] rules"

_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_LAUNCHERS = {"python", "python3", "node", "nodejs", "npx", "uvx", "uv", "bunx", "bun", "deno", "pipx",
              "run", "exec", "tool", "-m", "docker", "podman", "java", "-jar", "ruby", "go"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", metavar="P",
                        help="policy file (default: nearest .blastshield/policy.toml)")
    parser.add_argument("--name", metavar="SERVER",
                        help="the server's name in [mcp] rules and pins (default: guessed from the command)")
    parser.add_argument("--listen", metavar="HOST:PORT", help="serve streamable HTTP here (needs --upstream)")
    parser.add_argument("--upstream", metavar="URL", help="the streamable HTTP MCP endpoint to forward to")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="HTTP: also accept browser requests from this Origin (default: loopback only)")
    parser.add_argument("--pass-env", action="append", default=[], metavar="NAME",
                        help="stdio: also give the server this variable (unless [env] deny names it)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no notes on stderr")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- SERVER-CMD ...",
                        help="stdio: the server command to start")


def guess_server_name(command: list[str]) -> str:
    """A name from the command: the first argument that is not a launcher or an option."""
    for arg in command:
        base = os.path.basename(arg.rstrip("/"))
        if not base or base.startswith("-") or base.lower() in _LAUNCHERS or "=" in base:
            continue
        base = re.sub(r"@[^@/]*$", "", base)  # package@version
        base = re.sub(r"\.(py|js|mjs|cjs|ts|jar|exe)$", "", base)
        base = re.sub(r"^(?:mcp[-_]server[-_]|server[-_]|mcp[-_])|(?:[-_]mcp[-_]server|[-_]mcp|[-_]server)$",
                      "", base) or base
        cleaned = re.sub(r"[^A-Za-z0-9_.-]", "-", base).strip("-.")
        if cleaned:
            return cleaned[:64]
    return "mcp"


def _server_name(args: argparse.Namespace, command: list[str]) -> str:
    if args.name:
        if not _NAME_OK.match(args.name):
            raise UsageError(f"--name {args.name!r}: use letters, digits, '_', '.' or '-' (no ':')",
                             hint="the name is the SERVER part of [mcp] \"server:tool\" rules")
        return str(args.name)
    if command:
        return guess_server_name(command)
    from urllib.parse import urlsplit

    host = urlsplit(args.upstream or "").hostname or "mcp"
    return re.sub(r"[^A-Za-z0-9_.-]", "-", host)[:64]


def run(args: argparse.Namespace) -> int:
    from blastshield.mcp.audit_writer import AuditWriter
    from blastshield.mcp.gate import Gate
    from blastshield.mcp.pins import PinStore, store_path
    from blastshield.policy.load import find_policy, load_policy

    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if args.listen or args.upstream:
        if not (args.listen and args.upstream):
            raise UsageError("--listen and --upstream go together", hint="e.g. --listen 127.0.0.1:8808 "
                             "--upstream http://127.0.0.1:9000/mcp")
        if command:
            raise UsageError("give either --listen/--upstream or -- SERVER-CMD, not both")
    elif not command:
        raise UsageError("no server command given", hint="write `blastshield mcp-proxy -- SERVER-CMD ...`")
    policy_path = args.policy or find_policy(os.getcwd())
    if not policy_path:
        raise UsageError("no .blastshield/policy.toml found from this folder",
                         hint="run `blastshield init` or pass --policy P")
    policy = load_policy(policy_path)
    gate = Gate(policy, _server_name(args, command), PinStore(store_path(policy.path)), AuditWriter(policy),
                quiet=args.quiet)
    try:
        if command:
            code = _run_stdio(gate, command, args.pass_env)
        else:
            from blastshield.mcp.proxy_http import HttpOptions, serve_http

            code = serve_http(gate, HttpOptions(listen=args.listen, upstream=args.upstream,
                                                allowed_origins=tuple(args.allow_origin)))
    finally:
        gate.audit.submit(gate.session_event("SessionEnd"))
        gate.audit.close()
    return code


def _run_stdio(gate: object, command: list[str], pass_env: list[str]) -> int:
    from blastshield.mcp.gate import Gate
    from blastshield.mcp.proxy_stdio import StdioOptions, serve_stdio
    from blastshield.policy.match import glob_matches
    from blastshield.sandbox.env import filter_environment

    assert isinstance(gate, Gate)
    filtered = filter_environment(os.environ, gate.policy.env)
    env = dict(filtered.kept)
    for name in pass_env:
        denied = any(glob_matches(p.text, name) for p in gate.policy.env.deny)
        if name in os.environ and not denied:
            env[name] = os.environ[name]
        elif denied:
            gate.warn(f"--pass-env {name}: [env] deny names it; not passed")
    gate.audit.submit(gate.session_event(
        "SessionStart", transport="stdio", command=command,
        env_dropped=sorted(n for n, _ in filtered.dropped if n not in env)))
    return serve_stdio(gate, StdioOptions(command, env))
