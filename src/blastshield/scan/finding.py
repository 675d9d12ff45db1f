"""Findings and rule specs: plain data. Reporters turn them into text, JSON or SARIF."""

from __future__ import annotations

import enum

from blastshield.values import FrozenValue


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Confidence(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(Confidence).index(self)


class RuleSpec(FrozenValue):
    """One rule: stable id (``BS-PY-078``), CWE, defaults, one-line docs and fix advice."""

    __slots__ = ("confidence", "cwe", "fix", "id", "language", "severity", "title")
    id: str
    cwe: int
    severity: Severity
    confidence: Confidence
    title: str  # one line: what the weakness is
    fix: str  # one line: how to repair it
    language: str  # "python" | "javascript" | "any"

    def __init__(self, id: str, cwe: int, severity: Severity, confidence: Confidence, title: str, fix: str,
                 language: str) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "id", id)
        setattr_(self, "cwe", cwe)
        setattr_(self, "severity", severity)
        setattr_(self, "confidence", confidence)
        setattr_(self, "title", title)
        setattr_(self, "fix", fix)
        setattr_(self, "language", language)

    @property
    def docs(self) -> str:
        return f"docs/rules/{self.id}.md"


class Finding(FrozenValue):
    """One finding at one place. ``message`` says what was found there and why it matters."""

    __slots__ = ("column", "confidence", "cwe", "end_line", "fingerprint", "fix", "line", "message", "path",
                 "rule_id", "severity")
    rule_id: str
    cwe: int
    severity: Severity
    confidence: Confidence
    path: str
    line: int
    end_line: int
    message: str
    fix: str
    column: int
    fingerprint: str  # stable across line moves (for baselines); set by the engine

    def __init__(self, rule_id: str, cwe: int, severity: Severity, confidence: Confidence, path: str,
                 line: int, end_line: int, message: str, fix: str, column: int = 0,
                 fingerprint: str = "") -> None:
        setattr_ = object.__setattr__
        setattr_(self, "rule_id", rule_id)
        setattr_(self, "cwe", cwe)
        setattr_(self, "severity", severity)
        setattr_(self, "confidence", confidence)
        setattr_(self, "path", path)
        setattr_(self, "line", line)
        setattr_(self, "end_line", end_line)
        setattr_(self, "message", message)
        setattr_(self, "fix", fix)
        setattr_(self, "column", column)
        setattr_(self, "fingerprint", fingerprint)

    def at_least(self, severity: Severity, confidence: Confidence) -> bool:
        return self.severity.rank >= severity.rank and self.confidence.rank >= confidence.rank
