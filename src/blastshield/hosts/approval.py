"""Hosts that cannot ask a person: an ``ask`` becomes a deny whose reason says how to allow it.

Gemini CLI hooks have no ask; Codex rejects ``ask`` in PreToolUse (and then runs the
tool); Cursor's beforeReadFile takes allow/deny only. For those, blastshield denies and
tells the user the exact policy change that would allow the action next time.
"""

from __future__ import annotations

from blastshield.effects import Decision, EffectDecision, Kind, Verdict

_DEFAULT_POLICY = ".blastshield/policy.toml"


def ask_as_deny_reason(decision: Decision, host: str) -> str:
    """The deny reason for an ``ask`` on a host that cannot prompt the user."""
    top = decision.deciding
    if top is None or top.verdict is not Verdict.ASK:
        return f"blastshield needs a person's approval for this, and {host} hooks cannot ask; denied"
    what = f"{top.effect.kind} {top.effect.target}"
    return (f"blastshield needs a person's approval for {what} ({top.reason}), and {host} hooks "
            f"cannot ask, so it is denied. To allow it: {how_to_allow(top)}.")


def how_to_allow(item: EffectDecision) -> str:
    """The policy change that turns this ask into an allow (plain text)."""
    rule = item.rule
    policy = rule.file if rule is not None and rule.file not in ("builtin", "") else _DEFAULT_POLICY
    table, key, pattern = _allow_entry(item)
    if rule is None:
        return (f"blastshield cannot tell statically what this does; add the exact form "
                f"{pattern!r} to [{table}].{key} in {policy} if you trust it, or run it yourself")
    if rule.key == "ask":
        return (f"it matches [{rule.table}].ask pattern {rule.pattern!r} in {policy}; remove or narrow "
                f"that pattern, then add {pattern!r} to [{table}].{key}")
    return f"add {pattern!r} to [{table}].{key} in {policy}, or do it yourself"


def _allow_entry(item: EffectDecision) -> tuple[str, str, str]:
    effect = item.effect
    if effect.kind is Kind.EXEC:
        return "commands", "allow", " ".join(effect.argv) or effect.target
    if effect.kind is Kind.READ:
        return "files", "read", effect.path or effect.target
    if effect.kind in (Kind.WRITE, Kind.DELETE):
        return "files", "write", effect.path or effect.target
    if effect.kind is Kind.NET:
        return "network", "allow", effect.host or effect.target
    if effect.kind is Kind.MCP:
        return "mcp", "allow", effect.target
    return "env", "pass", effect.target
