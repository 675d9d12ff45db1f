"""Explain a decision: every effect of a shell command or a host tool call, the rule that
decided it, and why.

examples:
  blastshield check -- 'git push origin main'
  blastshield check --json --cwd src -- 'cat ../.env'
  blastshield check --tool-call payload.json          # a Claude Code PreToolUse payload

exit status: 0 allow or ask, 1 deny, 2 bad input (policy, payload, usage).
"""

from __future__ import annotations

import argparse
import os
import sys

NAME = "check"
HELP = "explain the decision on a shell command or a host tool call"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", metavar="P",
                        help="policy file (default: nearest .blastshield/policy.toml)")
    parser.add_argument("--cwd", metavar="DIR", help="directory the command runs in (default: here)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tool-call", metavar="FILE", help="a host payload (JSON) instead of a command")
    parser.add_argument("--host", default="claude-code", help="host of --tool-call (default: claude-code)")
    parser.add_argument("--non-interactive", action="store_true",
                        help="nobody can answer a prompt: what is unresolvable becomes deny")
    parser.add_argument("command", nargs="*", help="the shell command (after --)")


def run(args: argparse.Namespace) -> int:
    from blastshield.check import check_command, check_tool_call
    from blastshield.errors import UsageError
    from blastshield.report.decision import decision_json, decision_text

    if bool(args.tool_call) == bool(args.command):
        raise UsageError("give either -- 'COMMAND' or --tool-call FILE",
                         hint="see `blastshield check --help`")
    cwd = os.path.realpath(args.cwd or os.getcwd())
    if not os.path.isdir(cwd):
        raise UsageError(f"--cwd {args.cwd}: not a directory", hint="pass an existing directory")
    if args.tool_call:
        decision, subject = check_tool_call(args.tool_call, args.host, args.policy, cwd)
    else:
        command = " ".join(args.command)
        decision = check_command(command, args.policy, cwd, non_interactive=args.non_interactive)
        subject = command
    if args.json:
        print(decision_json(decision))
    else:
        print(decision_text(subject, decision, color=sys.stdout.isatty()))
    return 1 if decision.verdict.value == "deny" else 0
