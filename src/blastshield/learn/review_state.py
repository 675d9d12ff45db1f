"""What changed since the last review: kept in ``.blastshield/review-state.json``.

The state holds the time, the policy's hash and rules, the last log record reviewed, and the
names of the findings. It sits in blastshield's folder, which the agent cannot write.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from blastshield.learn.observed import SeenAction
from blastshield.learn.review import ReviewReport, review_keys
from blastshield.policy.model import Policy

STATE_FILE = "review-state.json"


@dataclass
class SinceLast:
    first: bool
    previous_time: str = ""
    policy_changed: bool = False
    rules_added: list[str] = field(default_factory=list)
    rules_removed: list[str] = field(default_factory=list)
    new_tool_calls: int = 0
    new_findings: list[str] = field(default_factory=list)
    resolved_findings: list[str] = field(default_factory=list)


def state_path(policy: Policy) -> str:
    return os.path.join(os.path.dirname(policy.path), STATE_FILE)


def policy_rules(policy: Policy) -> list[str]:
    """Every rule of the policy as ``[table].key pattern`` (patterns as written)."""
    out: list[str] = []
    files = policy.files
    for key, patterns in (("read", files.read), ("write", files.write), ("ask", files.ask),
                          ("deny", files.deny)):
        out += [f"[files].{key} {p.shown}" for p in patterns]
    for table, rules in (("commands", policy.commands), ("network", policy.network), ("mcp", policy.mcp)):
        for key in ("allow", "ask", "deny"):
            out += [f"[{table}].{key} {p.shown}" for p in getattr(rules, key)]
    return out


def load_state(policy: Policy) -> dict[str, Any] | None:
    try:
        with open(state_path(policy), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def compare(previous: dict[str, Any] | None, policy: Policy, report: ReviewReport,
            actions: list[SeenAction]) -> SinceLast:
    if previous is None:
        return SinceLast(first=True, new_tool_calls=len(actions))
    rules_then = set(_strings(previous.get("rules")))
    rules_now = policy_rules(policy)
    keys_then = set(_strings(previous.get("findings")))
    keys_now = review_keys(report)
    seen = previous.get("last_seq")
    last_seq = seen if isinstance(seen, int) else 0
    return SinceLast(
        first=False, previous_time=str(previous.get("time") or ""),
        policy_changed=previous.get("policy_hash") != policy.digest,
        rules_added=[r for r in rules_now if r not in rules_then],
        rules_removed=sorted(rules_then - set(rules_now)),
        new_tool_calls=sum(1 for a in actions if a.seq > last_seq),
        new_findings=sorted(keys_now - keys_then), resolved_findings=sorted(keys_then - keys_now))


def save_state(policy: Policy, report: ReviewReport, now: str) -> str:
    """Write the state; returns a warning line ('' when written)."""
    data = {"version": 1, "time": now, "policy_hash": policy.digest, "last_seq": report.last_seq,
            "rules": policy_rules(policy), "findings": sorted(review_keys(report))}
    path = state_path(policy)
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
        os.replace(temp, path)
    except OSError as exc:
        return (f"cannot keep the review state in {path} ({exc.strerror});"
                " the next review will not show changes")
    return ""


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
