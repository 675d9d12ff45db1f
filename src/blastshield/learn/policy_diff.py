"""Rule by rule: what a new policy adds, removes or changes against the policy in force."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Change:
    op: str  # "+" added, "-" removed, "~" a setting changed
    table: str  # "" for top-level settings
    key: str
    value: str


def diff_policies(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    for key in _keys(old, new):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) or isinstance(b, dict):
            changes += _diff_table(key, a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {})
        elif a != b:
            changes.append(Change("~", "", key, f"{_show(a)} → {_show(b)}"))
    return changes


def _diff_table(table: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
    for key in _keys(old, new):
        a, b = old.get(key), new.get(key)
        if isinstance(a, list) or isinstance(b, list):
            before = [str(x) for x in a] if isinstance(a, list) else []
            after = [str(x) for x in b] if isinstance(b, list) else []
            out += [Change("+", table, key, item) for item in after if item not in before]
            out += [Change("-", table, key, item) for item in before if item not in after]
        elif a != b:
            out.append(Change("~", table, key, f"{_show(a)} → {_show(b)}"))
    return out


def _keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([*old, *new]))


def _show(value: Any) -> str:
    return "(unset)" if value is None else repr(value) if isinstance(value, str) else str(value)


def render_diff(changes: list[Change], *, colour: bool = False, most: int = 12) -> list[str]:
    """Lines grouped by table: ``[commands].allow`` then ``+ pytest *`` / ``- curl *``.

    Past ``most`` removals under one key, the rest are counted, not listed (0 = list all).
    """
    if not changes:
        return ["  (no change)"]
    paint = {"+": "32", "-": "31", "~": "33"}
    lines: list[str] = []
    current = None
    removed = hidden = 0
    for change in changes:
        where = f"[{change.table}].{change.key}" if change.table else change.key
        if where != current and hidden:
            lines.append(f"    ... and {hidden} more removed")
            hidden = 0
        if change.op == "~":
            text = f"  ~ {where}: {change.value}"
        else:
            if where != current:
                lines.append(f"  {where}")
                current = where
                removed = 0
            if change.op == "-":
                removed += 1
                if most and removed > most:
                    hidden += 1
                    continue
            text = f"    {change.op} {change.value}"
        lines.append(f"\x1b[{paint[change.op]}m{text}\x1b[0m" if colour else text)
    if hidden:
        lines.append(f"    ... and {hidden} more removed")
    return lines
