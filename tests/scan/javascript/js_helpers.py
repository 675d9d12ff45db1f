"""Helpers for the JavaScript analysis tests: run analyze on a snippet, find marked lines."""

from __future__ import annotations

import textwrap

from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.javascript import analyze


def findings(source: str, name: str = "app.js", minimum: Confidence = Confidence.MEDIUM) -> list[Finding]:
    code = textwrap.dedent(source)
    return [f for f in analyze(name, code.encode()) if f.confidence.rank >= minimum.rank]


def hits(source: str, name: str = "app.js", minimum: Confidence = Confidence.MEDIUM) -> set[tuple[str, int]]:
    """(rule id, line) of every finding at or above ``minimum`` confidence."""
    return {(f.rule_id, f.line) for f in findings(source, name, minimum)}


def line_of(source: str, marker: str) -> int:
    """1-based line of the (only) line containing ``marker`` in the dedented source."""
    lines = [i + 1 for i, text in enumerate(textwrap.dedent(source).splitlines()) if marker in text]
    assert len(lines) == 1, f"marker {marker!r} found on lines {lines}"
    return lines[0]


def rule_ids(source: str, name: str = "app.js", minimum: Confidence = Confidence.MEDIUM) -> set[str]:
    return {rule for rule, _ in hits(source, name, minimum)}
