"""BS-PY-1333-redos: literal patterns whose nested unbounded quantifiers backtrack catastrophically."""

from __future__ import annotations

from typing import Any

import pytest

from blastshield.scan.python.patterns_regex import nested_quantifier

PyScan = Any  # the `py` fixture from conftest.py


@pytest.mark.parametrize("pattern", [
    r"(a+)+$",
    r"^(\w+\s?)*$",
    r"^[a-z0-9.-]+\.[a-z]{2,}(?:\.[a-z]{2,})*$",
    r"((ab)*c)*",
    r"(?:x|(y+))*z",
    r"(a+){2,}",
])
def test_nested_unbounded_repetition_is_recognised(pattern: str) -> None:
    assert nested_quantifier(pattern)


@pytest.mark.parametrize("pattern", [
    r"^[a-z0-9.-]+\.[a-z]{2,}$",
    r"(\d{1,3}\.){3}\d{1,3}",  # the outer repeat is bounded
    r"(a|b)*",
    r"(?:a+)*+",  # possessive: never backtracks
    r"[(a+)+]",  # a character class, not a group
    r"\(a+\)+",  # escaped parentheses
    "(",  # not a valid pattern
])
def test_single_level_or_bounded_repetition_is_not(pattern: str) -> None:
    assert not nested_quantifier(pattern)


def test_literal_pattern_at_the_call_or_bound_once_is_reported(py: PyScan) -> None:
    code = """import re
EMAIL = r'^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}(?:\\.[a-z]{2,})*$'
def check(email):
    words = re.findall(r'(\\w+\\s?)*:', email)
    return re.match(EMAIL, email) is not None
"""
    found = py.shown(code)
    assert {(f.rule_id, f.line) for f in found} == {("BS-PY-1333-redos", 4), ("BS-PY-1333-redos", 5)}
    assert all("ReDoS" in f.message for f in found)


def test_safe_pattern_or_one_bound_twice_is_clean(py: PyScan) -> None:
    code = """import re
PATTERN = r'^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$'
NAME = r'(a+)+'
NAME = r'a+'
def check(email):
    return re.match(PATTERN, email) and re.search(NAME, email) and helper.match(r'(a+)+', email)
"""
    assert py.rule_lines(code) == set()
