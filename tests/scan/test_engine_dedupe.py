"""A credential said twice (language rule + secret rule on one line of one file) is reported
once, with the secret rule's judgement (it knows the value: a default, a fake in test code)."""

from __future__ import annotations

from blastshield.scan.engine import _dedupe
from blastshield.scan.finding import Confidence, Finding, Severity


def make(rule: str, path: str, line: int, confidence: Confidence) -> Finding:
    return Finding(rule, 798, Severity.HIGH, confidence, path, line, line, "m", "f")


def test_secret_as_sure_replaces_the_language_finding() -> None:
    kept = _dedupe([make("BS-SECRET-PASSWORD", "a.py", 3, Confidence.MEDIUM),
                    make("BS-PY-798", "a.py", 3, Confidence.MEDIUM)])
    assert [f.rule_id for f in kept] == ["BS-SECRET-PASSWORD"]


def test_the_secret_rule_judges_even_when_it_says_low() -> None:
    kept = _dedupe([make("BS-SECRET-PASSWORD", "a.py", 3, Confidence.LOW),
                    make("BS-PY-798", "a.py", 3, Confidence.MEDIUM)])
    assert [(f.rule_id, f.confidence) for f in kept] == [("BS-SECRET-PASSWORD", Confidence.LOW)]


def test_same_line_in_another_file_is_not_a_duplicate() -> None:
    kept = _dedupe([make("BS-SECRET-PASSWORD", "a.py", 3, Confidence.HIGH),
                    make("BS-PY-798", "b.py", 3, Confidence.MEDIUM)])
    assert [(f.rule_id, f.path) for f in kept] == [("BS-SECRET-PASSWORD", "a.py"), ("BS-PY-798", "b.py")]
