"""Decisions as text (for people) and JSON (the `check --json` contract in DESIGN.md)."""

from __future__ import annotations

import json

from blastshield.effects import Decision, EffectDecision, Verdict

_COLORS = {Verdict.ALLOW: "\033[32m", Verdict.ASK: "\033[33m", Verdict.DENY: "\033[31m"}
_RESET = "\033[0m"


def rule_text(item: EffectDecision) -> str:
    return str(item.rule) if item.rule is not None else "analysis"


def effect_dict(item: EffectDecision) -> dict[str, str]:
    return {"kind": item.effect.kind.value, "target": item.effect.target,
            "decision": item.verdict.value, "rule": rule_text(item), "reason": item.reason}


def decision_dict(decision: Decision) -> dict[str, object]:
    return {
        "decision": decision.verdict.value,
        "applied": decision.applied.value,
        "mode": decision.mode.value,
        "effects": [effect_dict(item) for item in decision.effects],
        "policy_hash": decision.policy_hash,
    }


def decision_json(decision: Decision) -> str:
    return json.dumps(decision_dict(decision), indent=2)


def decision_text(subject: str, decision: Decision, *, color: bool = False) -> str:
    def paint(verdict: Verdict, text: str) -> str:
        return f"{_COLORS[verdict]}{text}{_RESET}" if color else text

    head = f"{paint(decision.verdict, decision.verdict.value.upper())}  {subject}"
    if decision.applied is not decision.verdict:
        head += f"   ({decision.mode} mode: the host is told {decision.applied.value})"
    lines = [head]
    if not decision.effects:
        lines.append("  (no effects)")
    for item in decision.effects:
        lines.append(f"  {paint(item.verdict, item.verdict.value):<5} {item.effect.kind.value:<6} "
                     f"{item.effect.target}")
        lines.append(f"        {item.reason}")
        lines.append(f"        rule: {rule_text(item)}")
    return "\n".join(lines)
