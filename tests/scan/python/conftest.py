"""Fixtures for the Python analyzer tests: analyse a snippet, keep what the default settings show."""

from __future__ import annotations

import textwrap

import pytest

from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.python import analyze


def run(code: str) -> list[Finding]:
    return analyze("sample.py", textwrap.dedent(code).lstrip("\n").encode())


def shown(code: str) -> list[Finding]:
    """Findings at the engine's default threshold (confidence >= medium)."""
    return [f for f in run(code) if f.confidence.rank >= Confidence.MEDIUM.rank]


def rule_lines(code: str) -> set[tuple[str, int]]:
    return {(f.rule_id, f.line) for f in shown(code)}


class PyScan:
    run = staticmethod(run)
    shown = staticmethod(shown)
    rule_lines = staticmethod(rule_lines)


@pytest.fixture
def py() -> PyScan:
    return PyScan()
