"""Granted against used: what the policy allows that the agent never needed, and what keeps prompting.

  blastshield review [--since WHEN] [--json] [--no-save]

Lists allow rules never used (candidates to remove), rules much wider than their use (with
the narrower form), risky grants (wildcards, interpreters, network tools, writes outside the
workspace, secret paths), asks and denies by frequency (which rule would remove the most
prompts safely), and what changed since the last review (state in .blastshield/).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from blastshield.learn.review import ReviewReport
    from blastshield.learn.review_state import SinceLast

NAME = "review"
HELP = "compare what the policy grants with what the agent used"
MAX_LISTED = 15


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", metavar="FILE", help="the policy in force (default: found from here)")
    parser.add_argument("--since", default="", help="only records from then on: ISO time or an age (2h, 7d)")
    parser.add_argument("--json", action="store_true", help='print {"version": 1, ...} instead of text')
    parser.add_argument("--no-save", action="store_true",
                        help="do not update .blastshield/review-state.json (the next review compares"
                             " with the one before)")


def build(policy_path: str | None, since: str = "") -> tuple[Any, ReviewReport, Any]:
    """(policy, review, actions) for the policy found from here (shared with `report`)."""
    from blastshield.errors import UsageError
    from blastshield.learn.observed import actions_from_records, read_records
    from blastshield.learn.review import review
    from blastshield.policy.load import find_policy, load_policy

    path = policy_path or find_policy(os.getcwd())
    if path is None:
        raise UsageError("no .blastshield/policy.toml here or above",
                         hint="run `blastshield init` in the repository, or pass --policy FILE")
    policy = load_policy(path)
    records = read_records(policy, since=since)
    actions = actions_from_records(records, policy.workspace)
    last_seq = max((r.seq for r in records), default=0)
    return policy, review(policy, actions, last_seq=last_seq), actions


def run(args: argparse.Namespace) -> int:
    from blastshield.audit.query import utc_now
    from blastshield.learn.review_state import compare, load_state, save_state

    policy, report, actions = build(args.policy, args.since)
    since_last = compare(load_state(policy), policy, report, actions)
    warning = "" if args.no_save else save_state(policy, report, utc_now())
    if warning:
        print(f"blastshield: {warning}", file=sys.stderr)
    if args.json:
        json.dump(report_json(report, since_last), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write("\n".join(report_text(report, since_last)) + "\n")
    return 0


def report_json(report: ReviewReport, since_last: SinceLast | None) -> dict[str, Any]:
    from dataclasses import asdict

    def notes(items: list[Any]) -> list[dict[str, Any]]:
        return [{**asdict(n), "narrower": list(n.narrower)} for n in items]

    return {
        "version": 1, "policy": report.policy, "policy_hash": report.policy_hash, "mode": report.mode,
        "observed": {"tool_calls": report.actions, "sessions": report.sessions},
        "family_members_unused": report.family_kept,
        "unused": notes(report.unused), "wider": notes(report.wider), "risky": notes(report.risky),
        "prompts": [{**asdict(g), "fix": list(g.fix)} for g in report.prompts],
        "denies": [{**asdict(g), "fix": list(g.fix)} for g in report.denies],
        "since_last_review": asdict(since_last) if since_last is not None else None,
    }


def report_text(report: ReviewReport, since_last: SinceLast | None) -> list[str]:
    lines = [f"Review of {os.path.relpath(report.policy)} (mode {report.mode}) against {report.actions} tool"
             f" calls in {report.sessions} session(s)."]
    lines += _section(f"Allow rules never used ({len(report.unused)}): candidates to remove",
                      [f"{n.where} {n.pattern}" for n in report.unused])
    if report.family_kept:
        lines.append(f"  ({report.family_kept} more unused rules belong to capability families the [files]"
                     " grants already cover; see docs/learn.md)")
    lines += _section(f"Rules much wider than their use ({len(report.wider)})",
                      [f"{n.where} {n.pattern}: {n.message}" for n in report.wider])
    lines += _section(f"Risky grants ({len(report.risky)})",
                      [f"{n.severity:<6} {n.where} {n.pattern}: {n.message}" for n in report.risky])
    from blastshield.paths import home_dir

    home = home_dir()

    def short(text: str) -> str:
        if report.workspace:
            text = text.replace(report.workspace + "/", "")
        return text.replace(home + "/", "~/")

    asked = []
    for group in report.prompts:
        head = f"{group.count}x asked: {_clip(short(group.example))}"
        tail = ("add " + "; ".join(group.fix) + f" (removes {group.count} prompt(s))") if group.safe \
            else f"keep asking ({group.why})"
        asked.append(f"{head}\n      → {tail}")
    lines += _section(f"Prompts by frequency ({sum(g.count for g in report.prompts)} asked)", asked)
    denied = [f"{g.count}x denied: {_clip(short(g.example))}\n      → "
              + ("allowing it would take " + "; ".join(g.fix) if g.safe else g.why) for g in report.denies]
    lines += _section(f"Denies by frequency ({sum(g.count for g in report.denies)})", denied)
    lines.append("")
    lines.append("Since the last review:")
    lines += since_text(since_last)
    return lines


def since_text(since_last: SinceLast | None) -> list[str]:
    if since_last is None:
        return ["  (not compared)"]
    if since_last.first:
        return [f"  first review: no earlier state ({since_last.new_tool_calls} tool calls observed so far)"]
    out = [f"  last review {since_last.previous_time}; {since_last.new_tool_calls} new tool call(s)"]
    out.append("  policy changed" if since_last.policy_changed else "  policy unchanged")
    out += [f"    + {r}" for r in since_last.rules_added[:MAX_LISTED]]
    out += [f"    - {r}" for r in since_last.rules_removed[:MAX_LISTED]]
    out += [f"  new finding: {k.replace('|', ' ')}" for k in since_last.new_findings[:MAX_LISTED]]
    out += [f"  resolved: {k.replace('|', ' ')}" for k in since_last.resolved_findings[:MAX_LISTED]]
    return out


def _section(title: str, items: list[str]) -> list[str]:
    lines = ["", title + ":"]
    if not items:
        return [*lines, "  (none)"]
    lines += [f"  {item}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(f"  ... and {len(items) - MAX_LISTED} more (--json lists all)")
    return lines


def _clip(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
