"""Signatures and MACs compared with == instead of in constant time (BS-PY-208)."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_a_signature_compared_with_equals_is_reported(py: PyScan) -> None:
    code = """import hmac, hashlib
def sign(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()
def verify(key, msg, sig):
    return sig == sign(key, msg)
def verify_inline(key, msg, given):
    return hmac.new(key, msg, hashlib.sha256).hexdigest() != given
"""
    found = [(f.rule_id, f.line) for f in py.shown(code)]
    assert found == [("BS-PY-208", 5), ("BS-PY-208", 7)]
    assert "compare_digest" in py.shown(code)[0].message


def test_constant_time_comparison_and_unrelated_equality_are_not_reported(py: PyScan) -> None:
    code = """import hmac, hashlib
def verify(key, msg, sig):
    return hmac.compare_digest(sig, hmac.new(key, msg, hashlib.sha256).digest())
def same_file(a, b):
    return hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
def empty(sig):
    return sig == ""
"""
    assert py.shown(code) == []
