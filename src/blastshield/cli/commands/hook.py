"""Host hook entry point: read the host's payload on stdin, print its reply on stdout.

Always exits 0 with exactly one JSON object on stdout (hosts let a tool run on most
other exit codes). Anything that goes wrong — unreadable payload, a broken or missing
policy, an internal error — is answered with the host's explicit deny.
"""

from __future__ import annotations

import argparse
import json
import sys

NAME = "hook"
HELP = "host hook entry point (payload on stdin, reply on stdout)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("host", help="the agent host: claude-code, cursor, gemini or codex")
    parser.add_argument("--policy", metavar="P", help="policy file (init bakes its absolute path in)")


def fast_args(argv: list[str]) -> argparse.Namespace | None:
    """Parse ``HOST [--policy P]`` without building the whole CLI; None for anything else."""
    if not argv or argv[0].startswith("-"):
        return None
    args = argparse.Namespace(host=argv[0], policy=None, verbose=False, _run=run)
    rest = argv[1:]
    if not rest:
        return args
    if len(rest) == 2 and rest[0] == "--policy":
        args.policy = rest[1]
        return args
    if len(rest) == 1 and rest[0].startswith("--policy="):
        args.policy = rest[0].split("=", 1)[1]
        return args
    return None


def run(args: argparse.Namespace) -> int:
    from blastshield.hosts import get_adapter
    from blastshield.hosts.runner import run_hook

    adapter = get_adapter(args.host)
    try:
        raw = sys.stdin.buffer.read()
    except OSError as exc:
        raw = b""
        print(f"blastshield: cannot read stdin: {exc}", file=sys.stderr)
    outcome = run_hook(adapter, raw, args.policy)
    sys.stdout.write(json.dumps(outcome.reply) + "\n")
    sys.stdout.flush()
    return 0
