"""Inline suppressions: ``# blastshield: ignore[RULE-ID, ...] reason`` (or ``//``, ``/*``, ``<!--``).

A suppression applies to findings of the named rules on its own line or on the line
below it. The reason is required: a suppression without one suppresses nothing and is
reported as an error, so every accepted risk says why it was accepted.
"""

from __future__ import annotations

from blastshield.scan.finding import Finding
from blastshield.scan.lazyre import lazy
from blastshield.values import FrozenValue

_MARKER = b"blastshield:"
_DIRECTIVE = lazy(
    r"(?:#|//|/\*|<!--|--|;)\s*blastshield:\s*ignore\s*\[(?P<ids>[^\]]*)\](?P<reason>.*)$",
)
_RULE_ID = lazy(r"^[A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)+$")
_REASON_TRIM = " \t-:–—*/>"


class Suppression(FrozenValue):
    __slots__ = ("line", "reason", "rule_ids")
    line: int
    rule_ids: frozenset[str]
    reason: str

    def __init__(self, line: int, rule_ids: frozenset[str], reason: str) -> None:
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "rule_ids", rule_ids)
        object.__setattr__(self, "reason", reason)


class SuppressionProblem(FrozenValue):
    __slots__ = ("line", "message")
    line: int
    message: str

    def __init__(self, line: int, message: str) -> None:
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "message", message)


def parse_suppressions(source: bytes) -> tuple[dict[int, list[Suppression]], list[SuppressionProblem]]:
    """Suppressions by the line they cover (their own line and the next), and malformed ones."""
    if _MARKER not in source:  # fast path: most files have none
        return {}, []
    covers: dict[int, list[Suppression]] = {}
    problems: list[SuppressionProblem] = []
    text = source.decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if "blastshield:" not in line:
            continue
        match = _DIRECTIVE.search(line)
        if not match:
            continue
        ids = frozenset(part.strip() for part in match["ids"].split(",") if part.strip())
        reason = match["reason"].strip().rstrip("*/->").strip(_REASON_TRIM).strip()
        bad = sorted(i for i in ids if not _RULE_ID.match(i))
        if not ids or bad:
            problems.append(SuppressionProblem(number, (
                f"line {number}: suppression names no valid rule id ({', '.join(bad) or 'empty'}); "
                "write `blastshield: ignore[BS-XX-NNN] reason`")))
            continue
        if not reason:
            problems.append(SuppressionProblem(number, (
                f"line {number}: suppression of {', '.join(sorted(ids))} has no reason and is ignored; "
                "add why the finding is acceptable after the ]")))
            continue
        entry = Suppression(number, ids, reason)
        covers.setdefault(number, []).append(entry)
        covers.setdefault(number + 1, []).append(entry)
    return covers, problems


def is_suppressed(finding: Finding, covers: dict[int, list[Suppression]]) -> bool:
    """True when a suppression on the finding's line (or the line above) names its rule."""
    return any(finding.rule_id in s.rule_ids for s in covers.get(finding.line, ()))
