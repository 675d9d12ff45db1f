"""Propose the minimal policy that would have allowed what the agent was seen doing.

  blastshield learn [--since WHEN] [--session ID] [--json]
  blastshield learn --write [--mode enforce|shadow|learn]      (from your own terminal)

Commands collapse to program + subcommand (git status *, npm run build *, python -m pytest *),
paths to the narrowest folder globs, hosts stay exact. Shells, interpreters, wrappers,
network tools, destructive commands, dependency installs, secret paths, and anything the
policy in force denies or asks for are listed as "needs a human decision", never granted.
Deny and ask lists, defaults, [env], [audit] and [scan] are kept. Without --write nothing is
written; --write refuses to run inside an agent session or the sandbox.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blastshield.learn.policy_diff import Change
    from blastshield.learn.propose import Proposal

NAME = "learn"
HELP = "propose a least-privilege policy from what the agent did (write it with --write)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", metavar="FILE", help="the policy in force (default: found from here)")
    parser.add_argument("--since", default="", help="only records from then on: ISO time or an age (2h, 7d)")
    parser.add_argument("--session", default="", help="only this session id")
    parser.add_argument("--write", action="store_true",
                        help="write the proposal to the policy file (refused inside an agent session)")
    parser.add_argument("--mode", choices=["enforce", "shadow", "learn"],
                        help="the mode the written policy sets (default: keep the current mode)")
    parser.add_argument("--json", action="store_true", help='print {"version": 1, ...} instead of text')


def run(args: argparse.Namespace) -> int:
    from blastshield.errors import UsageError
    from blastshield.learn.observed import actions_from_records, read_records
    from blastshield.learn.policy_diff import diff_policies
    from blastshield.learn.policy_text import proposed_text, read_policy_data
    from blastshield.learn.propose import propose
    from blastshield.learn.session_guard import refusal
    from blastshield.policy.load import find_policy, load_policy

    if args.write:
        why = refusal(os.environ, sys.stdin.isatty())
        if why:
            raise UsageError(f"learn --write refused: {why}",
                             hint="run `blastshield learn --write` yourself, in your own terminal")
    path = args.policy or find_policy(os.getcwd())
    if path is None:
        raise UsageError("no .blastshield/policy.toml here or above",
                         hint="run `blastshield init --mode learn` in the repository, or pass --policy FILE")
    policy = load_policy(path)
    actions = actions_from_records(read_records(policy, since=args.since, session=args.session),
                                   policy.workspace)
    proposal = propose(actions, policy)
    text, data = proposed_text(policy, proposal, args.mode)
    changes = diff_policies(read_policy_data(policy), data)
    written = False
    if args.write:
        if not actions:
            raise UsageError("learn --write: nothing was observed, so the proposal would allow nothing",
                             hint="run the agent in learn mode first, or widen --since/--session")
        _write(policy.path, text)
        written = True
    if args.json:
        _print_json(proposal, changes, written, policy.path)
    else:
        _print_text(proposal, changes, written, policy.path, args)
    return 0


def _write(path: str, text: str) -> None:
    """Keep the previous policy next to it, then replace the file atomically."""
    import shutil

    shutil.copyfile(path, path + ".previous")
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def _print_json(proposal: Proposal, changes: list[Change], written: bool, path: str) -> None:
    out = {
        "version": 1,
        "policy": path,
        "observed": {"tool_calls": proposal.actions, "distinct": proposal.distinct_actions,
                     "sessions": list(proposal.sessions), "granted_tool_calls": proposal.granted_actions},
        "rules": {f"{t}.{k}": v for (t, k), v in proposal.rules.items()},
        "size": proposal.size,
        "families": proposal.families,
        "path_families": proposal.path_families,
        "observed_commands": proposal.observed_commands,
        "added_asks": {f"{t}.{k}": v for (t, k), v in proposal.asks.items()},
        "needs_human_decision": [
            {"category": h.category, "subject": h.subject, "reason": h.reason, "exact_rule": h.exact,
             "count": h.count, "sessions": list(h.sessions), "decided": h.verdict} for h in proposal.human],
        "changes": [{"op": c.op, "table": c.table, "key": c.key, "value": c.value} for c in changes],
        "written": written,
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _print_text(proposal: Proposal, changes: list[Change], written: bool, path: str,
                args: argparse.Namespace) -> None:
    from blastshield.learn.families import family_why
    from blastshield.learn.policy_diff import render_diff
    from blastshield.learn.propose import TRACKED_WRITE, path_family_why
    from blastshield.paths import home_dir
    from blastshield.policy.load import workspace_of

    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    workspace, home = workspace_of(path), home_dir()

    def short(text: str) -> str:
        return text.replace(workspace + "/", "").replace(home + "/", "~/")

    scope = ", ".join(x for x in (f"session {args.session}" if args.session else "",
                                  f"since {args.since}" if args.since else "") if x)
    scope = f" ({scope})" if scope else ""
    lines = [f"Observed {proposal.actions} tool calls ({proposal.distinct_actions} distinct) in"
             f" {len(proposal.sessions)} session(s){scope}.",
             f"Proposed policy: {proposal.size} allow rules ({len(proposal.observed_commands)} commands seen,"
             f" {len(proposal.rules[('commands', 'allow')]) - len(proposal.observed_commands)} from"
             f" families) covering {proposal.granted_actions} of"
             f" {proposal.actions} tool calls; {len(proposal.human)} item(s) need a human decision."]
    lines.append("")
    lines.append("Learned allow rules:")
    for (table, key), patterns in proposal.rules.items():
        commands = (table, key) == ("commands", "allow")
        shown = proposal.observed_commands if commands else patterns
        lines.append(f"  [{table}].{key}: " + (", ".join(shown) if shown else "(none)"))
        for name in proposal.families if commands else ():
            lines.append(f"    + family \"{name}\": {proposal.family_sizes.get(name, 0)} rules"
                         f" ({family_why(name)})")
        for name, globs in proposal.path_families.items():
            if table == "files" and (key == "write") == (name == TRACKED_WRITE):
                lines.append(f"    (family \"{name}\": {len(globs)} globs, {path_family_why(name)})")
    for (table, key), extra in proposal.asks.items():
        if extra:
            lines.append(f"  added to [{table}].{key}: " + ", ".join(extra))
    if proposal.human:
        lines.append("")
        lines.append("Needs a human decision (not granted; the policy's ask/deny/default still applies):")
        for item in proposal.human:
            seen = f"{item.count}x" + (f", decided {item.verdict}" if item.verdict else "")
            lines.append(f"  [{item.category}] {_clip(short(item.subject))}  ({seen})")
            lines.append(f"      {item.reason}")
            if item.exact:
                lines.append("      if you trust exactly this, add to [commands].allow: "
                             + json.dumps(item.exact))
    lines.append("")
    lines.append(f"Changes against {os.path.relpath(path)}:")
    lines += render_diff(changes, colour=colour)
    lines.append("")
    if written:
        where = os.path.relpath(path)
        lines.append(f"Wrote {where} (the previous policy is in {where}.previous).")
    else:
        lines.append("Nothing written. To apply it, run `blastshield learn --write` yourself, in your own"
                     " terminal (add --mode enforce to start enforcing).")
    sys.stdout.write("\n".join(lines) + "\n")


def _clip(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
