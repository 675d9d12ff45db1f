"""Salts computed by hashing known data are as predictable as constant ones (BS-PY-760)."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_a_salt_hashed_from_the_user_name_is_reported(py: PyScan) -> None:
    code = """import hashlib
def hash_passwords(usernames, passwords):
    out = []
    for i, password in enumerate(passwords):
        salt = hashlib.sha256(usernames[i].encode()).digest()
        out.append(hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 10000))
    return out
def inline(user, password):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), hashlib.md5(user.encode()).hexdigest().encode(),
                               100000)
"""
    found = [(f.rule_id, f.line) for f in py.shown(code)]
    assert ("BS-PY-760", 6) in found and ("BS-PY-760", 9) in found
    assert "hashing known data" in next(f.message for f in py.shown(code) if f.line == 6)


def test_random_salts_and_salts_from_the_caller_are_not_reported(py: PyScan) -> None:
    code = """import hashlib, os
def random_salt(password):
    salt = os.urandom(16)
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100000)
def hashed_random(password):
    salt = hashlib.sha256(os.urandom(32)).digest()
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100000)
def given(password, stored_salt):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), stored_salt, 100000)
"""
    assert [f for f in py.shown(code) if f.rule_id == "BS-PY-760"] == []
