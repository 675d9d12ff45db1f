"""Findings and rule specs: plain data. Reporters turn them into text, JSON or SARIF."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule: stable id (``BS-PY-078``), CWE, defaults, one-line docs and fix advice."""

    id: str
    cwe: int
    severity: Severity
    confidence: Confidence
    title: str  # one line: what the weakness is
    fix: str  # one line: how to repair it
    language: str  # "python" | "javascript" | "any"

    @property
    def docs(self) -> str:
        return f"docs/rules/{self.id}.md"


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding at one place. ``message`` says what was found there and why it matters."""

    rule_id: str
    cwe: int
    severity: Severity
    confidence: Confidence
    path: str
    line: int
    end_line: int
    message: str
    fix: str
    column: int = 0
    fingerprint: str = ""  # stable across line moves (for baselines); set by the engine

    def at_least(self, severity: Severity, confidence: Confidence) -> bool:
        return self.severity.rank >= severity.rank and self.confidence.rank >= confidence.rank
