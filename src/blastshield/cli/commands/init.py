"""Set up blastshield in a repository: write .blastshield/policy.toml (a least-privilege
starting policy for this repository's languages and test runners) and register the hook
with the agent host, merging with the host's existing configuration.

Running it again is safe: an existing policy is kept (only its mode is changed when
--mode is given) and the host's blastshield entries are replaced, not duplicated.

examples:
  blastshield init                       # Claude Code, enforce mode
  blastshield init --mode learn          # allow and record everything, then `blastshield learn`
  blastshield init --uninstall           # remove the hooks (the policy and log stay)
"""

from __future__ import annotations

import argparse

NAME = "init"
HELP = "write a starting policy and register the hook with an agent host"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="claude-code", help="agent host (default: claude-code)")
    parser.add_argument("--mode", choices=("enforce", "shadow", "learn"),
                        help="policy mode (default: enforce for a new policy; kept otherwise)")
    parser.add_argument("--dir", default=".", help="the repository (default: here)")
    parser.add_argument("--uninstall", action="store_true", help="remove blastshield's hooks from the host")
    parser.add_argument("--force", action="store_true", help="rewrite an existing policy from scratch")


def run(args: argparse.Namespace) -> int:
    from blastshield.setup import init_repository, uninstall_repository

    lines = uninstall_repository(args.dir, args.host) if args.uninstall else \
        init_repository(args.dir, args.host, args.mode, force=args.force)
    for line in lines:
        print(line)
    return 0
