"""Host hook entry point: read the host's payload on stdin, print its reply on stdout.

Always exits 0 with exactly one JSON object on stdout (hosts let a tool run on most
other exit codes). Anything that goes wrong — unreadable payload, a broken or missing
policy, an internal error — is answered with the host's explicit deny.

``blastshield hook HOST [--policy P]`` normally never reaches this module's ``run``
through argparse: cli/__main__.py hands it to hosts/hook_client.py, which asks a warm
hook server (hosts/hook_server.py) and falls back to :func:`run` in this process. The
server calls :func:`run` too, so both paths print the same bytes.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

NAME = "hook"
HELP = "host hook entry point (payload on stdin, reply on stdout)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("host", help="the agent host: claude-code, cursor, gemini or codex")
    parser.add_argument("--policy", metavar="P", help="policy file (init bakes its absolute path in)")


def namespace(host: str, policy: str | None, raw: bytes | None = None,
              environ: Mapping[str, str] | None = None) -> SimpleNamespace:
    """Arguments for :func:`run` without argparse: ``raw`` is the payload when already read."""
    return SimpleNamespace(host=host, policy=policy, raw=raw, environ=environ, verbose=False, _run=run)


def run(args: argparse.Namespace | SimpleNamespace) -> int:
    from blastshield.hosts import get_adapter
    from blastshield.hosts.runner import run_hook

    adapter = get_adapter(args.host)
    raw: bytes | None = getattr(args, "raw", None)
    if raw is None:
        try:
            raw = sys.stdin.buffer.read()
        except (OSError, AttributeError) as exc:  # AttributeError: stdin closed (sys.stdin is None)
            raw = b""
            print(f"blastshield: cannot read stdin: {exc}", file=sys.stderr)
    outcome = run_hook(adapter, raw, args.policy, getattr(args, "environ", None))
    sys.stdout.write(json.dumps(outcome.reply) + "\n")
    sys.stdout.flush()
    return 0
