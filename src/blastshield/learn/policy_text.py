"""The proposed policy as TOML: the policy in force with learn's allow lists swapped in.

Everything learn does not own (deny and ask lists, defaults, [env], [audit], [scan]) is kept
value for value. Comments are not kept: the file says so in its header. The text is parsed
back with the real loader before anyone sees it, so a proposal that would not load never leaves.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

from blastshield.errors import PolicyError
from blastshield.learn.propose import LEARNED_KEYS, Proposal
from blastshield.policy.load import parse_policy
from blastshield.policy.model import Policy

_TABLE_ORDER = ("files", "commands", "network", "mcp", "env", "audit", "scan")


def read_policy_data(policy: Policy) -> dict[str, Any]:
    """The policy file as TOML data (the values as written, before ``~`` expands)."""
    try:
        with open(policy.path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{policy.path}: cannot read the policy again ({exc})",
                          hint="fix the file, then run learn again") from exc


def proposed_data(current: dict[str, Any], proposal: Proposal, mode: str | None) -> dict[str, Any]:
    data = {key: (dict(value) if isinstance(value, dict) else value) for key, value in current.items()}
    data["version"] = 1
    if mode:
        data["mode"] = mode
    for table, key in LEARNED_KEYS:
        data.setdefault(table, {})[key] = list(proposal.rules.get((table, key), []))
    for (table, key), extra in proposal.asks.items():
        if extra:
            current_list = [str(x) for x in data.setdefault(table, {}).get(key, [])]
            data[table][key] = current_list + [x for x in extra if x not in current_list]
    return data


def render_toml(data: dict[str, Any], header: str) -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for key, value in data.items():
        if not isinstance(value, dict):
            lines.append(f"{key} = {_value(value)}")
    names = [t for t in _TABLE_ORDER if isinstance(data.get(t), dict)]
    names += [t for t, v in data.items() if isinstance(v, dict) and t not in names]
    for name in names:
        lines.append("")
        lines.append(f"[{name}]")
        for key, value in data[name].items():
            lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + "".join(f"  {_value(item)},\n" for item in value) + "]"
    raise PolicyError(f"cannot write a {type(value).__name__} value into the policy",
                      hint="report this as a bug")


def proposed_text(policy: Policy, proposal: Proposal, mode: str | None) -> tuple[str, dict[str, Any]]:
    """The proposal as policy text (checked by the real loader) and its data."""
    current = read_policy_data(policy)
    data = proposed_data(current, proposal, mode)
    header = ("blastshield policy — written by `blastshield learn --write` from "
              f"{proposal.actions} observed tool calls in {len(proposal.sessions)} session(s).\n"
              "Allow lists ([files] read/write, [commands] allow, [network] allow, [mcp] allow) are what\n"
              "the agent was seen to need; deny and ask lists are kept from the previous policy.\n"
              "Reference: docs/policy.md and docs/learn.md.")
    text = render_toml(data, header)
    parse_policy(text.encode("utf-8"), policy.path, policy.workspace)
    return text, data
