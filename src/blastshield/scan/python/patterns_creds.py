"""Literal passwords handed straight to a login: database connections, mail/FTP/LDAP/SSH logins.

``secret_literal`` in patterns.py sees keyword literals (``connect(password='s3cr3t!')``); this
module adds the forms it cannot see: passwords passed by position (``MySQLdb.connect(host, user,
pw, db)``, ``smtp.login(user, pw)``), passwords inside connection URLs, and empty passwords on a
named account (``user='root', passwd=''``). A literal handed to a login call is a password that is
used, so default-grade values (``root``, ``password``) are medium confidence there — a guessable
credential is the worst kind (Bandit's B106 and CodeQL's py/hardcoded-credentials report them too);
the same values merely assigned to a name stay low (``secret_literal``), as in the secrets rule, since
examples and scaffolding use them as placeholders. An empty password for a named account
(``user='root', passwd=''``) is medium too: that account has no password at all (CWE-258). Literals of
one to three characters are low; placeholders (``'<password>'``) are skipped.
"""

from __future__ import annotations

import ast
import math
import re

from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.lazyre import lazy
from blastshield.scan.python.names import FileIndex, call_name, const_str, kwarg, last
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
DEV_DEFAULT = lazy(r"^(root|admin|password|pass|passwd|test|testing|user|secret|guest|default|1234|"
                         r"12345|123456|demo|dev|postgres|mysql|toor|qwerty|pwd)$", re.I)
PASSWORD_KEYWORD = lazy(r"^(pass|passwd|password|pwd|db_?pass(word)?|auth_?password)$", re.I)
USER_KEYWORD = lazy(r"^(user|username|login|user_?name|db_?user)$", re.I)
PLACEHOLDER = lazy(r"^(<.*>|\{.*\}|\$\{?\w+\}?|%s|x+|\*+|\.\.\.|your[_ -].*|changeme|placeholder)$",
                         re.I)
# Names a literal credential is assigned to (password = '...', cfg['api_key'] = '...', token='...').
SECRET_NAME = lazy(r"(^|_)(password|passwd|pwd|pass|secret|token|api_?key|apikey|access_?key|"
                         r"private_?key|secret_?key|auth_?key|client_?secret|credentials?)$", re.I)
# \s*: blanks are no secret (password == " " is an emptiness check, not a credential).
SECRET_PLACEHOLDER = lazy(r"^(\s*|x+|\*+|\.+|-+|none|null|todo|changeme|change_me|placeholder|example|"
                                r"your[_ -].*|"
                                r".*<.*>.*|.*\{.*\}.*|.*%s.*|.*\$\{?\w+.*)$", re.I)
LITERAL_DEFAULT = lazy(r"^(root|admin|password|pass|passwd|test|testing|test_?user|user|secret|guest|"
                             r"default|1234|12345|123456|demo|dev|postgres|mysql|toor|qwerty|pwd)$", re.I)
# Calls that log in with their arguments (by last name), and the position of the password when passed
# positionally (None: only by keyword).
LOGIN_METHODS: dict[str, int | None] = {
    "connect": None, "Connect": None, "Connection": None, "login": 1, "simple_bind_s": 1,
    "simple_bind": 1,
    "bind_s": 1, "starttls_login": 1, "auth_password": 1,
}
POSITIONAL: dict[str, int] = {"MySQLdb.connect": 2, "pymysql.connect": 2, "_mysql.connect": 2,
                              "MySQLdb.Connect": 2, "pymysql.Connect": 2, "paramiko.SSHClient.connect": 3}
# postgresql://user:secret@host/db — a password inside a connection URL
URL_PASSWORD = lazy(r"^[a-z][\w+.-]*://(?P<user>[^:/@\s]+):(?P<pw>[^@/\s]+)@[\w.-]+", re.I)


def entropy(text: str) -> float:
    counts = {c: text.count(c) for c in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values()) if text else 0.0


def _restates(name: str, text: str) -> bool:
    """SECRET_KEY = 'secret_key', api_key = 'API-KEY': a value spelling its slot's name is a placeholder."""
    value = re.sub(r"[^a-z0-9]", "", text.lower())
    return bool(value) and re.sub(r"[^a-z0-9]", "", name.lower()).endswith(value)


def literal_secret_confidence(name: str, text: str) -> Confidence | None:
    """How sure a literal ``text`` given to a slot called ``name`` is a real credential; None when it is not
    one (a name that holds no secret, a placeholder, a path or a sentence)."""
    if not SECRET_NAME.search(name) or SECRET_PLACEHOLDER.match(text.strip()):
        return None
    if "/" in text or text.endswith((".html", ".txt", ".json", ".pem", ".key")) or " " in text.strip():
        return None
    if LITERAL_DEFAULT.match(text) or len(text) < 4 or _restates(name, text):
        return L
    return H if len(text) >= 16 and entropy(text) > 3.5 else M


def _literal_password(call: ast.Call, name: str) -> tuple[ast.expr, str] | None:
    method = last(name) if name else (call.func.attr if isinstance(call.func, ast.Attribute) else "")
    if method not in LOGIN_METHODS and name not in POSITIONAL:
        return None
    for k in call.keywords:
        if k.arg and PASSWORD_KEYWORD.match(k.arg) and const_str(k.value) is not None:
            return k.value, k.arg
    index = POSITIONAL.get(name, LOGIN_METHODS.get(method))
    if index is not None and index < len(call.args) and const_str(call.args[index]) is not None \
            and all(const_str(a) is not None for a in call.args[:index]):
        return call.args[index], "password"
    return None


def _named_user(call: ast.Call) -> bool:
    for k in call.keywords:
        if k.arg and USER_KEYWORD.match(k.arg):
            return bool((const_str(k.value) or "").strip())
    first = call.args[:2]
    return any(bool((const_str(a) or "").strip()) for a in first)


def _login_finding(call: ast.Call, name: str, path: str) -> Finding | None:
    found = _literal_password(call, name)
    if found is None:
        return None
    node, key = found
    text = (const_str(node) or "").strip()
    shown = name or "the login call"
    if PLACEHOLDER.match(text) or (not text and not _named_user(call)):
        return None
    if not text:
        return finding(R.HARDCODED_SECRET, path, node.lineno,
                       f"{shown}() logs in with an empty '{key}' — the account has no password", confidence=M)
    conf = M if DEV_DEFAULT.match(text) or len(text) >= 4 else L
    message = (f"{shown}() logs in with the literal '{key}' written in the source ({len(text)} characters) — "
               "anyone with the code has the credential")
    return finding(R.HARDCODED_SECRET, path, node.lineno, message, confidence=conf)


def credential_findings(index: FileIndex, path: str) -> list[Finding]:
    out: list[Finding] = []
    for call in index.nodes(ast.Call):
        name = call_name(call, index.aliases)
        login = _login_finding(call, name, path)
        if login is not None:
            out.append(login)
        for a in [*call.args[:1], *(k.value for k in call.keywords if k.arg in ("url", "dsn", "uri"))]:
            text = const_str(a) or ""
            m = URL_PASSWORD.match(text) if "@" in text else None  # it needs an '@': most texts skip it
            if m and not PLACEHOLDER.match(m.group("pw")) and not kwarg(call, "password"):
                out.append(finding(R.HARDCODED_SECRET, path, a.lineno, f"{name or 'the call'}() is given a "
                                   "URL with a password written in the source", confidence=M))
    return out
