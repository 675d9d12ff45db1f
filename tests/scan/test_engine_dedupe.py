"""A credential said twice (language rule + secret rule on one line of one file) is reported
once: in test code with the secret rule's judgement (it knows fakes there), elsewhere the
surer of the two (a login call makes a default-grade literal a credential in use)."""

from __future__ import annotations

from blastshield.scan.engine import _dedupe
from blastshield.scan.finding import Confidence, Finding, Severity


def make(rule: str, path: str, line: int, confidence: Confidence, cwe: int = 798) -> Finding:
    return Finding(rule, cwe, Severity.HIGH, confidence, path, line, line, "m", "f")


def test_secret_as_sure_replaces_the_language_finding() -> None:
    kept = _dedupe([make("BS-SECRET-PASSWORD", "a.py", 3, Confidence.MEDIUM),
                    make("BS-PY-798", "a.py", 3, Confidence.MEDIUM)])
    assert [f.rule_id for f in kept] == ["BS-SECRET-PASSWORD"]


def test_in_test_code_the_secret_rule_judges_even_when_it_says_low() -> None:
    kept = _dedupe([make("BS-SECRET-PASSWORD", "tests/test_db.py", 3, Confidence.LOW),
                    make("BS-PY-798", "tests/test_db.py", 3, Confidence.MEDIUM)])
    assert [(f.rule_id, f.confidence) for f in kept] == [("BS-SECRET-PASSWORD", Confidence.LOW)]


def test_outside_tests_a_surer_language_finding_stands_over_a_doubtful_secret() -> None:
    kept = _dedupe([make("BS-SECRET-PASSWORD", "app/db.py", 3, Confidence.LOW),
                    make("BS-PY-798", "app/db.py", 3, Confidence.MEDIUM),
                    make("BS-PY-089", "app/db.py", 3, Confidence.MEDIUM, cwe=89)])
    assert [(f.rule_id, f.confidence) for f in kept] == [("BS-PY-798", Confidence.MEDIUM),
                                                         ("BS-PY-089", Confidence.MEDIUM)]


def test_same_line_in_another_file_is_not_a_duplicate() -> None:
    kept = _dedupe([make("BS-SECRET-PASSWORD", "a.py", 3, Confidence.HIGH),
                    make("BS-PY-798", "b.py", 3, Confidence.MEDIUM)])
    assert [(f.rule_id, f.path) for f in kept] == [("BS-SECRET-PASSWORD", "a.py"), ("BS-PY-798", "b.py")]


def test_a_secret_the_rule_is_sure_of_is_reported_as_the_secret_rule_says() -> None:
    kept = _dedupe([make("BS-SECRET-PASSWORD", "app/db.py", 3, Confidence.MEDIUM),
                    make("BS-PY-798", "app/db.py", 3, Confidence.HIGH)])
    assert [f.rule_id for f in kept] == ["BS-SECRET-PASSWORD"]
