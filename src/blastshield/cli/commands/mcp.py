"""Review and approve the MCP tool definitions the proxy has pinned.

  blastshield mcp pins [--json]              every pinned tool; "changed" ones are refused
  blastshield mcp approve [SERVER[:TOOL]]    accept the changed definitions (all, a server's, one)

The proxy pins each tool's name, description and input schema (a hash) on first sight in
.blastshield/mcp-pins.json. When a server later changes a tool's definition, the proxy
hides and refuses that tool until a human reads the new description here and approves it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from blastshield.errors import UsageError

NAME = "mcp"
HELP = "list pinned MCP tool definitions and approve changed ones"
_POLICY_HELP = "policy file (default: nearest .blastshield/policy.toml)"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="mcp_command", metavar="SUBCOMMAND", required=True)
    pins = sub.add_parser("pins", help="list pinned tools and the ones waiting for approval")
    pins.add_argument("--policy", metavar="P", help=_POLICY_HELP)
    pins.add_argument("--json", action="store_true", help='print {"version": 1, "pins": [...]}')
    approve = sub.add_parser("approve", help="accept changed tool definitions")
    approve.add_argument("--policy", metavar="P", help=_POLICY_HELP)
    approve.add_argument("target", nargs="?", metavar="SERVER[:TOOL]", help="default: every changed tool")


def _store_file(policy: str | None) -> str:
    from blastshield.mcp.pins import store_path
    from blastshield.policy.load import find_policy

    path = policy or find_policy(os.getcwd())
    if not path:
        raise UsageError("no .blastshield/policy.toml found from this folder", hint="pass --policy P")
    return store_path(path)


def run(args: argparse.Namespace) -> int:
    from blastshield.mcp.pins import PinStore

    store = PinStore(_store_file(args.policy))
    if args.mcp_command == "pins":
        return _pins(store, bool(args.json))
    server, tool = None, None
    if args.target:
        server, _, rest = str(args.target).partition(":")
        tool = rest or None
        if not server:
            raise UsageError(f"{args.target!r}: expected SERVER or SERVER:TOOL")
    approved = store.approve(server, tool)
    if not approved:
        known = {(e.server, e.tool) for e in store.entries()}
        if tool is not None and (server, tool) not in known:
            raise UsageError(f"no pinned tool {server}:{tool} in {store.path}",
                             hint="see `blastshield mcp pins`")
        scope = f" for {args.target}" if args.target else ""
        print(f"nothing to approve: no changed tool definitions{scope}")
        return 0
    for entry in approved:
        print(f"approved {entry.server}:{entry.tool}  {entry.hash[:19]} -> {entry.pending_hash[:19]}")
        print(f"  was: {_one_line(entry.description)}")
        print(f"  now: {_one_line(entry.pending_description)}")
    return 0


def _one_line(text: str, width: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def _pins(store: object, as_json: bool) -> int:
    from blastshield.mcp.pins import PinStore

    assert isinstance(store, PinStore)
    entries = store.entries()
    if as_json:
        print(json.dumps({"version": 1, "store": store.path, "pins": [
            {"server": e.server, "tool": e.tool, "status": e.status.value, "hash": e.hash,
             "first_seen": e.first_seen, "description": e.description,
             **({"pending_hash": e.pending_hash, "pending_seen": e.pending_seen,
                 "pending_description": e.pending_description} if e.pending_hash else {})}
            for e in entries]}, indent=2, ensure_ascii=False))
        return 0
    if not entries:
        print(f"no pinned MCP tools yet ({store.path})")
        return 0
    width = max(len(f"{e.server}:{e.tool}") for e in entries)
    for e in entries:
        name = f"{e.server}:{e.tool}"
        print(f"{name:<{width}}  {e.status.value:<7}  {e.hash[7:19]}  {_one_line(e.description, 80)}")
        if e.pending_hash:
            print(f"{'':<{width}}  {'now':<7}  {e.pending_hash[7:19]}  "
                  f"{_one_line(e.pending_description, 80)}")
    changed = sum(1 for e in entries if e.pending_hash)
    if changed:
        print(f"\n{changed} changed tool(s) are refused until approved: blastshield mcp approve SERVER:TOOL",
              file=sys.stderr)
    return 0
