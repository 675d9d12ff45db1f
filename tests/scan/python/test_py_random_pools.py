"""Random strings whose alphabet is held in a name (BS-PY-338): a local, a parameter default, an import."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_alphabet_held_in_a_name_or_parameter_default_is_reported(py: PyScan) -> None:
    code = """import random
import string
from string import ascii_letters
def local(length):
    letters = string.ascii_lowercase + string.digits
    return ''.join(random.choice(letters) for _ in range(length))
def default(length, chars=ascii_letters + string.digits):
    return ''.join(random.choice(chars) for _ in range(length))
def literal(n):
    pool = "abcdefghijklmnopqrstuvwxyz0123456789"
    return ''.join(random.sample(pool, n))
"""
    found = [(f.rule_id, f.line) for f in py.shown(code)]
    assert found == [("BS-PY-338", 6), ("BS-PY-338", 8), ("BS-PY-338", 11)]


def test_picking_from_data_or_a_project_name_is_not_reported(py: PyScan) -> None:
    code = """import random
import secrets
import string
def pick(items):
    return random.choice(items)
def colours():
    palette = ["red", "green", "blue"]
    return random.choice(palette)
def token(length, chars=string.ascii_letters):
    return ''.join(secrets.choice(chars) for _ in range(length))
def shadowed(ascii_letters):
    return random.choice(ascii_letters)
"""
    assert py.shown(code) == []
