"""Literal credentials stored under a constant key, values that restate their own name, and weak
randomness handed to a keyword argument that names a secret."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_literal_password_stored_under_a_constant_key_is_reported(py: PyScan) -> None:
    code = """def fill(form):
    form['username'] = 'alice'
    form['password'] = 'Tr0ub4dor&3'
    settings.DATABASES['default']['PASSWORD'] = 'k7#Rq9!vLm'
"""
    found = py.rule_lines(code)
    assert ("BS-PY-798", 3) in found and ("BS-PY-798", 4) in found
    assert ("BS-PY-798", 2) not in found


def test_subscript_credentials_from_the_environment_or_placeholders_are_clean(py: PyScan) -> None:
    code = """import os
def fill(form):
    form['password'] = os.environ['APP_PASSWORD']
    form['token'] = '<your token>'
    form['password'] = ''
"""
    assert py.rule_lines(code) == set()


def test_a_value_that_restates_its_name_is_a_placeholder(py: PyScan) -> None:
    code = """app.config['WTF_CSRF_SECRET_KEY'] = 'secret_key'
api_key = 'API-KEY'
client_secret = 'hG72kq0PzW'
"""
    found = {f.line: f.confidence for f in py.run(code) if f.rule_id == "BS-PY-798"}
    assert found[1] == "low" and found[2] == "low"
    assert found[3] == "medium"


def test_random_value_for_a_password_keyword_is_reported(py: PyScan) -> None:
    code = """from random import randint
def make_user():
    return User(username='guest', password='pw' + str(randint(0, 1000)))
"""
    assert ("BS-PY-338", 3) in py.rule_lines(code)


def test_random_value_for_other_keywords_is_clean(py: PyScan) -> None:
    code = """import random
def shuffled(items):
    return sorted(items, key=lambda _: random.random())
def jitter(retry):
    retry.wait(delay=random.uniform(0.1, 0.5))
"""
    assert py.rule_lines(code) == set()


def test_bare_random_helper_of_a_fragment_making_a_salt_is_reported(py: PyScan) -> None:
    code = """def register(self, password):
    salt = str(randint(100000, 999999))
    return hash_it(password, salt)
"""
    assert ("BS-PY-338", 2) in py.rule_lines(code)


def test_bare_helper_named_like_random_but_defined_here_is_clean(py: PyScan) -> None:
    code = """def choice(options):
    return options[0]
def pick_token(tokens):
    token = choice(tokens)
    return token
"""
    assert py.rule_lines(code) == set()
