"""Constant IVs and salts, random strings from `random`, TLS off, cleartext clients, regex HTML filters,
session cookies without flags: each with a vulnerable case and a safe look-alike."""

from __future__ import annotations

from typing import Any

import pytest

PyScan = Any  # the `py` fixture from conftest.py

VULNERABLE = [
    ("BS-PY-329", 5, """from Crypto.Cipher import AES
from Crypto.Util.Padding import pad
def encrypt(data, key):
    static_vector = b'x' * AES.block_size
    cipher = AES.new(key, AES.MODE_CBC, static_vector)
    return cipher.encrypt(pad(data, AES.block_size))
"""),
    ("BS-PY-329", 4, """from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
IV = b'0123456789abcdef'
def enc(key):
    return Cipher(algorithms.AES(key), modes.CBC(IV)).encryptor()
"""),
    ("BS-PY-760", 4, """import hashlib
def hash_password(password):
    salt = b'\\x00' * 32
    return hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600000)
"""),
    ("BS-PY-338", 4, """import random
import string
def make_token(length):
    return ''.join(random.choice(string.ascii_letters + string.digits) for _ in range(length))
"""),
    ("BS-PY-295", 3, """import ssl, socket
def connect(host, port):
    s = ssl.wrap_socket(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    s.connect((host, port))
    return s
"""),
    ("BS-PY-319", 3, """import ftplib
def fetch(host, user, password):
    ftp = ftplib.FTP(host)
    ftp.login(user, password)
    return ftp
"""),
    ("BS-PY-116", 3, """import re
def strip_scripts(content):
    return re.sub(r'<script.*?>.*?</script>', '', content, flags=re.DOTALL | re.IGNORECASE)
"""),
    ("BS-PY-614", 5, """from flask import make_response
import secrets
def login_ok():
    response = make_response("Authenticated!")
    response.set_cookie('sessionID', secrets.token_urlsafe(16))
    return response
"""),
]

SAFE = [
    ("BS-PY-329", """import os
from Crypto.Cipher import AES
def encrypt(data, key):
    iv = os.urandom(16)
    return iv + AES.new(key, AES.MODE_CBC, iv).encrypt(data)
"""),
    ("BS-PY-760", """import hashlib, os
def hash_password(password):
    salt = os.urandom(16)
    return salt, hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600000)
"""),
    ("BS-PY-338", """import random
def shuffle_deck(cards):
    return random.sample(cards, len(cards))
"""),
    ("BS-PY-295", """import ssl, socket
def connect(host, port):
    ctx = ssl.create_default_context()
    return ctx.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
"""),
    ("BS-PY-319", """import smtplib
def mailer():
    smtp = smtplib.SMTP('smtp.example.com', 587)
    smtp.starttls()
    return smtp
"""),
    ("BS-PY-116", """import re
def squash_spaces(text):
    return re.sub(r'\\s+', ' ', text)
"""),
    ("BS-PY-614", """def remember_theme(response):
    response.set_cookie('theme', 'dark')
    response.set_cookie('session', 'x', secure=True, httponly=True)
"""),
]


@pytest.mark.parametrize(("rule", "line", "code"), VULNERABLE, ids=[f"{r}-{i}" for i, (r, _, _) in
                                                                    enumerate(VULNERABLE)])
def test_vulnerable_use_is_reported(py: PyScan, rule: str, line: int, code: str) -> None:
    assert (rule, line) in py.rule_lines(code)


@pytest.mark.parametrize(("rule", "code"), SAFE, ids=[f"{r}-{i}" for i, (r, _) in enumerate(SAFE)])
def test_safe_look_alike_stays_clean(py: PyScan, rule: str, code: str) -> None:
    assert rule not in {r for r, _ in py.rule_lines(code)}


def test_a_bare_context_is_only_low_confidence(py: PyScan) -> None:
    code = """from OpenSSL import SSL
def get_context():
    return SSL.Context(SSL.SSLv23_METHOD)
"""
    assert [(f.rule_id, f.line, f.confidence) for f in py.run(code)] == [("BS-PY-295", 3, "low")]


def test_static_iv_message_says_what_to_do(py: PyScan) -> None:
    (f,) = [f for f in py.shown(VULNERABLE[0][2]) if f.rule_id == "BS-PY-329"]
    assert "constant IV/nonce" in f.message and "os.urandom()" in f.message
